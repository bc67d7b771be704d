/**
 * The prefix checker's parser state: a stack of frames, innermost last, each an immutable plain object. The chain
 * frame (the CoCTE `WITH … SELECT` frame) is always at the bottom; above it the query being written, its SELECT
 * core, and the expression, call, CASE, … being written inside it. A lexeme changes only the top few frames, and a
 * new stack shares every other frame with the old one, so trying a candidate token never copies much.
 */
import type { Catalog } from './catalog';

/** A source of a SELECT's FROM clause: what it is called there (its alias, or its own name) and its columns. */
export interface Source {
  qual: string;
  name: string;
  cols: readonly string[];
}

/** A column the select list used before FROM bound its sources: resolved when the FROM clause ends. */
export interface Ref {
  q: string | null;
  c: string;
  /** Read inside an aggregate's arguments: it must resolve in its own SELECT (an outer column would make the aggregate the outer SELECT's). */
  inAgg?: true;
}

/**
 * A select-list item: a named (or unnamed: '') column, `plain` when named by an alias or written as a bare column (a
 * compound SELECT's ORDER BY may name only those), or `*` / `q.*`.
 */
export type Item = { name: string; plain: boolean; agg?: boolean } | { star: string | null };

export type ChainPhase = 'start' | 'cteName' | 'cteAs' | 'cteOpen' | 'inCte' | 'cteClose' | 'afterCte' | 'final' | 'done';
export interface ChainFrame {
  k: 'chain';
  ph: ChainPhase;
  /** Finished CTEs → their output columns (lower case). */
  ctes: ReadonlyMap<string, readonly string[]>;
  /** The CTE being written (lower case) and, once its body ended, its columns. */
  name: string;
  cols: readonly string[];
}

export type QueryRole = 'cte' | 'final' | 'scalar' | 'in' | 'exists';
export interface QueryFrame {
  k: 'query';
  role: QueryRole;
  ph: 'core' | 'afterCore' | 'afterOp' | 'afterUnion';
  /** The first SELECT's columns (null until it ends); every later SELECT must have as many. */
  outs: readonly string[] | null;
  /** The last SELECT had ORDER BY or LIMIT: no compound operator may follow. */
  closed: boolean;
  /** The first SELECT's plain column names. */
  match: readonly string[];
}

export type CorePhase =
  | 'select'
  | 'item'
  | 'afterItem'
  | 'alias'
  | 'afterAlias'
  | 'from'
  | 'afterSrc'
  | 'srcAlias'
  | 'joinKw'
  | 'outer'
  | 'on'
  | 'afterOn'
  | 'using'
  | 'usingCol'
  | 'usingClose'
  | 'usingNext'
  | 'where'
  | 'afterWhere'
  | 'groupBy'
  | 'groupItem'
  | 'afterGroupItem'
  | 'having'
  | 'afterHaving'
  | 'orderBy'
  | 'orderItem'
  | 'afterOrderItem'
  | 'afterDir'
  | 'limit'
  | 'afterLimit'
  | 'offset'
  | 'afterOffset';

export interface CoreFrame {
  k: 'core';
  ph: CorePhase;
  items: readonly Item[];
  srcs: readonly Source[];
  /** Select-list columns waiting for FROM (see Ref). */
  deferred: readonly Ref[];
  /** Bare columns an ON clause used: still unambiguous when the FROM clause ends (SQLite resolves them then). */
  onRefs: readonly string[];
  /** Columns joined with USING (not ambiguous between the two sources). */
  using: readonly string[];
  /** The last source came after JOIN (ON / USING may follow). */
  joined: boolean;
  /** The last source has no alias yet and shares its name with an earlier source: it needs one. */
  needAlias: boolean;
  /** The FROM clause ended (its sources are final). */
  fromDone: boolean;
  /** The select list has an aggregate, or there is a GROUP BY: HAVING and aggregates in ORDER BY are allowed. */
  agg: boolean;
  grouped: boolean;
  /** At most this many result columns (1 in a scalar or IN subquery, the first SELECT's count after UNION …). */
  maxArity: number;
  /** After UNION / INTERSECT / EXCEPT: the first SELECT's column names (ORDER BY must name one of them). */
  compound: readonly string[] | null;
  /** After UNION …: the first SELECT's plain column names (see Item). */
  compoundMatch: readonly string[];
  /** The select list's item being named after AS, kept until the alias arrives. */
  pendingItem: Item | null;
  /** Output names given with AS (WHERE, GROUP BY, HAVING and ORDER BY may use them), and those naming an aggregate. */
  aliases: readonly string[];
  aggAliases: readonly string[];
  /** The last source already has its alias. */
  aliased: boolean;
}

export type ExprPhase = 'operand' | 'operator' | 'qualcol' | 'not' | 'inOpen' | 'existsOpen';
export interface ExprFrame {
  k: 'expr';
  ph: ExprPhase;
  /** Aggregate calls allowed here (a select list, HAVING, the ORDER BY of an aggregate query). */
  aggOk: boolean;
  /** A BETWEEN bound: arithmetic only, no comparison, AND, OR, IS, LIKE, IN or BETWEEN. */
  bound: boolean;
  /** An ORDER BY term after UNION / INTERSECT / EXCEPT: one column named one of these, or a column number. */
  lone: readonly string[] | null;
  /** `*` or `q.*` may be the whole expression (a select-list item). */
  starOk: boolean;
  /** Operands and operators read so far. */
  n: number;
  /** The expression is exactly one column (its name), one number, or a star. */
  single: string | null;
  num: string | null;
  /** A unary sign read before anything else (`-2` is a column number to ORDER BY, as `2` is). */
  sign: string;
  star: string | null | undefined;
  agg: boolean;
  /** After `q.`: the qualifier. */
  qual: string;
}

export interface CallFrame {
  k: 'call';
  fn: string;
  ph: 'first' | 'arg' | 'afterArg' | 'starClose';
  argc: number;
  distinct: boolean;
  aggOk: boolean;
  agg: boolean;
}

export interface GroupFrame {
  /** `( expr )` or `( SELECT … )` (paren), `IN ( … )` (inlist), `EXISTS ( SELECT … )` (exists). */
  k: 'paren' | 'inlist' | 'exists';
  ph: 'first' | 'item' | 'afterItem' | 'sub' | 'close';
  aggOk: boolean;
  agg: boolean;
}

export interface BetweenFrame {
  k: 'between';
  ph: 'lo' | 'and' | 'hi' | 'done';
  aggOk: boolean;
  agg: boolean;
}

export interface CaseFrame {
  k: 'case';
  ph: 'start' | 'base' | 'afterBase' | 'when' | 'afterWhen' | 'then' | 'afterThen' | 'else' | 'afterElse';
  aggOk: boolean;
  agg: boolean;
}

export interface CastFrame {
  k: 'cast';
  ph: 'expr' | 'as' | 'type' | 'close';
  aggOk: boolean;
  agg: boolean;
}

export type Frame = ChainFrame | QueryFrame | CoreFrame | ExprFrame | CallFrame | GroupFrame | BetweenFrame | CaseFrame | CastFrame;
export type Stack = readonly Frame[];

/** What a finished frame hands to the one below it. */
export interface Done {
  agg: boolean;
  /** An expression: exactly one column / number / star (see ExprFrame). */
  single?: string | null;
  num?: string | null;
  star?: string | null | undefined;
  /** A query: its result columns; a SELECT: whether it ended with ORDER BY or LIMIT. */
  outs?: readonly string[];
  ordered?: boolean;
  /** A SELECT or query: its plain column names (see Item); an expression: it is one bare column. */
  match?: readonly string[];
  plain?: boolean;
}

export interface Ctx {
  catalog: Catalog;
}

export const CHAIN_START: ChainFrame = { k: 'chain', ph: 'start', ctes: new Map(), name: '', cols: [] };

export function newCore(maxArity: number, compound: readonly string[] | null, compoundMatch: readonly string[] = []): CoreFrame {
  return {
    k: 'core',
    ph: 'select',
    items: [],
    srcs: [],
    deferred: [],
    onRefs: [],
    using: [],
    joined: false,
    needAlias: false,
    fromDone: false,
    agg: false,
    grouped: false,
    maxArity,
    compound,
    compoundMatch,
    pendingItem: null,
    aliases: [],
    aggAliases: [],
    aliased: false,
  };
}

export function newExpr(aggOk: boolean, opts: { bound?: boolean; starOk?: boolean; lone?: readonly string[] | null } = {}): ExprFrame {
  return { k: 'expr', ph: 'operand', aggOk, bound: opts.bound ?? false, lone: opts.lone ?? null, starOk: opts.starOk ?? false, n: 0, single: null, num: null, sign: '', star: undefined, agg: false, qual: '' };
}
