/**
 * The prefix checker's grammar: a pushdown state machine over the lexemes of lexer.ts. `feed` takes the parser
 * stack (frames.ts) and one lexeme and returns the new stack, or null when no valid CoCTE chain can continue that way.
 * It covers the CoCTE frame (`WITH name AS ( … ), …` then the final SELECT, laid out so that every step ends on a
 * line `  ),` or `  )`), the SELECT core (DISTINCT, aliases, FROM / JOIN … ON / USING, WHERE, GROUP BY, HAVING,
 * ORDER BY, LIMIT / OFFSET), UNION / INTERSECT / EXCEPT, and expressions (operators, IN lists and subqueries,
 * BETWEEN, LIKE / GLOB, IS [NOT], CASE, CAST, EXISTS, scalar subqueries, SQLite's functions with their arities and
 * aggregates only where SQLite allows them). Names resolve as scope.ts says.
 */
import { FUNCTIONS, IDENT, MAX_SOURCES, RESERVED, TABLE_ALIAS, TYPE_NAMES } from './catalog';
import type { Lexeme } from './lexer';
import {
  newCore,
  newExpr,
  type BetweenFrame,
  type CallFrame,
  type CaseFrame,
  type CastFrame,
  type ChainFrame,
  type CoreFrame,
  type CorePhase,
  type Ctx,
  type Done,
  type ExprFrame,
  type Frame,
  type GroupFrame,
  type Item,
  type QueryFrame,
  type QueryRole,
  type Stack,
} from './frames';
import { canBind, chainOf, endFrom, itemColumns, qualFits, qualifierColumns, qualifierOk, replaceAt, resolveColumn, sourceColumns } from './scope';

/** A handler's answer: the lexeme consumed (new stack), handed on unconsumed (`re`), the frame finished, or invalid. */
type Step = Stack | { re: Stack } | { fin: Done; consumed: boolean } | null;

const kw = (lx: Lexeme, w: string) => lx.t === 'word' && lx.v.toLowerCase() === w;
const word = (lx: Lexeme) => (lx.t === 'word' ? lx.v.toLowerCase() : '');
const COMPARISON = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '||']);
/** Words that are a complete operand on their own. */
const LITERAL_WORDS = new Set(['null', 'true', 'false', 'current_date', 'current_time', 'current_timestamp']);

/** Feeds one lexeme to the stack; null when the text can no longer become a valid chain. */
export function feed(ctx: Ctx, stack: Stack, lx: Lexeme): Stack | null {
  if (!layoutOk(stack, lx)) return null;
  let st = stack;
  for (let guard = 0; guard < 64; guard++) {
    const top = st[st.length - 1]!;
    const r = handle(ctx, st, top, lx);
    if (r === null) return null;
    if (isStack(r)) return tooDeep(r) ? null : r;
    if ('re' in r) {
      st = r.re;
      continue;
    }
    if (st.length < 2) return null;
    const merged = onChild(ctx, st.slice(0, -1), r.fin);
    if (!merged) return null;
    if (r.consumed) return merged;
    st = merged;
  }
  return null;
}

const isStack = (r: NonNullable<Step>): r is Stack => Array.isArray(r);

function handle(ctx: Ctx, st: Stack, f: Frame, lx: Lexeme): Step {
  // A `)` on a new line closes a step (layoutOk), never a call, a list or a subquery.
  if (lx.t === ')' && lx.ws.includes('\n') && (f.k === 'call' || f.k === 'paren' || f.k === 'inlist' || f.k === 'exists' || f.k === 'cast')) return null;
  switch (f.k) {
    case 'chain':
      return chain(st, f, lx);
    case 'query':
      return query(st, f, lx);
    case 'core':
      return core(ctx, st, f, lx);
    case 'expr':
      return expr(ctx, st, f, lx);
    case 'call':
      return call(st, f, lx);
    case 'paren':
    case 'inlist':
    case 'exists':
      return groupStep(st, f, lx);
    case 'between':
      return between(st, f, lx);
    case 'case':
      return caseExpr(st, f, lx);
    case 'cast':
      return cast(st, f, lx);
  }
}

const setTop = (st: Stack, f: Frame): Stack => replaceAt(st, st.length - 1, f);
const push = (st: Stack, ...fs: Frame[]): Stack => [...st, ...fs];

/** A new query (its SELECT keyword just read) on top of `st`. */
function startQuery(st: Stack, role: QueryRole): Stack {
  const q: QueryFrame = { k: 'query', role, ph: 'core', outs: null, closed: false, match: [] };
  return push(st, q, newCore(role === 'scalar' || role === 'in' ? 1 : Infinity, null));
}

// ---------------------------------------------------------------------------------------------------------------
// The CoCTE frame.

function chain(st: Stack, f: ChainFrame, lx: Lexeme): Step {
  switch (f.ph) {
    case 'start':
      if (kw(lx, 'with')) return setTop(st, { ...f, ph: 'cteName', nl: false });
      if (kw(lx, 'select')) return startQuery(setTop(st, { ...f, ph: 'final' }), 'final');
      return null;
    case 'cteName': {
      if (lx.t !== 'word' || lx.ws !== '\n  ') return null; // each step name starts its own line
      const w = lx.v.toLowerCase();
      if (!newName(w) || f.ctes.has(w)) return null;
      return setTop(st, { ...f, ph: 'cteAs', name: w, nl: false });
    }
    case 'cteAs':
      return kw(lx, 'as') ? setTop(st, { ...f, ph: 'cteOpen' }) : null;
    case 'cteOpen':
      if (lx.t !== '(') return null;
      return setTop(st, { ...f, ph: 'inCte' });
    case 'inCte':
      // The body starts with SELECT.
      return kw(lx, 'select') ? startQuery(st, 'cte') : null;
    case 'cteClose': {
      // A step ends on its own line, `  )`: the decoder and the step runner find step boundaries there.
      if (lx.t !== ')' || lx.ws !== '\n  ') return null;
      const ctes = new Map(f.ctes);
      ctes.set(f.name, f.cols);
      return setTop(st, { ...f, ph: 'afterCte', ctes });
    }
    case 'afterCte':
      if (lx.t === ',' && lx.ws === '') return setTop(st, { ...f, ph: 'cteName', nl: true });
      if (kw(lx, 'select') && lx.ws === '\n') return startQuery(setTop(st, { ...f, ph: 'final' }), 'final');
      return null;
    case 'final':
      return null;
    case 'done':
      return lx.t === 'eof' ? st : null;
  }
}

/**
 * The CoCTE layout (how every training chain is written, and what step boundaries are found by): single spaces
 * within a line; a line break only before a clause of the step's or final query (`\n    FROM` inside a step,
 * `\nFROM` in the final query), before a step name (`\n  s2`) or a step's closing `\n  )`.
 */
function layoutOk(stack: Stack, lx: Lexeme): boolean {
  const ws = lx.ws;
  if (ws === '' || lx.t === 'eof') return true;
  const chain = stack[0] as ChainFrame;
  if (ws === ' ') return !(stack.length === 1 && (chain.ph === 'afterCte' || chain.ph === 'cteName' || chain.ph === 'start'));
  const w = lx.t === 'word' ? lx.v.toLowerCase() : '';
  switch (chain.ph) {
    case 'inCte':
      return (ws === '\n    ' && LINE_WORDS.has(w)) || (ws === '\n  ' && lx.t === ')');
    case 'final':
      return ws === '\n' && LINE_WORDS.has(w);
    case 'cteName':
      return ws === '\n  ';
    case 'afterCte':
      return ws === '\n' && w === 'select';
    default:
      return false;
  }
}

/**
 * Whether whitespace still being written can lead to a lexeme (see layoutOk): a space where one may stand, or the
 * beginning of a line break after which some lexeme is accepted (`feeds` tries one).
 */
export function whitespaceOk(stack: Stack, ws: string, feeds: (lx: Lexeme) => boolean): boolean {
  if (ws === '') return true;
  const chain = stack[0] as ChainFrame;
  if (ws === ' ') return !(stack.length === 1 && (chain.ph === 'afterCte' || chain.ph === 'cteName' || chain.ph === 'start'));
  const breaks = chain.ph === 'inCte' ? ['\n    ', '\n  '] : chain.ph === 'final' || chain.ph === 'afterCte' ? ['\n'] : chain.ph === 'cteName' ? ['\n  '] : [];
  const next: Lexeme[] = [];
  for (const b of breaks.filter((x) => x.startsWith(ws))) {
    next.push({ t: ')', ws: b }, { t: 'word', v: 'zq_new_name', ws: b });
    for (const w of LINE_WORDS) next.push({ t: 'word', v: w, ws: b });
  }
  return next.some(feeds);
}

const LINE_WORDS = new Set(['select', 'from', 'where', 'group', 'order', 'limit', 'union', 'intersect', 'except']);
/** Bounds past which a small model is looping, not writing a query (Spider's gold stays well inside them). */
const MAX_ITEMS = 16;
const MAX_CALL_DEPTH = 3;
const MAX_GROUP_DEPTH = 6;

/** Calls nested past MAX_CALL_DEPTH (`replace(replace(…`), or parentheses past MAX_GROUP_DEPTH. */
function tooDeep(st: Stack): boolean {
  let calls = 0;
  let groups = 0;
  for (const f of st) {
    if (f.k === 'call' || f.k === 'cast') calls++;
    if (f.k === 'call' || f.k === 'cast' || f.k === 'paren' || f.k === 'inlist' || f.k === 'exists') groups++;
    if (f.k === 'expr' && (f.ph === 'inOpen' || f.ph === 'existsOpen')) groups++; // its `(` must still come
  }
  return calls > MAX_CALL_DEPTH || groups > MAX_GROUP_DEPTH;
}

/** A name the chain makes up (CTE, alias, output column): an identifier that is no reserved word. */
function newName(w: string): boolean {
  return IDENT.test(w) && !RESERVED.has(w) && !FUNCTIONS.has(w);
}

// ---------------------------------------------------------------------------------------------------------------
// Queries: SELECT cores joined by UNION / INTERSECT / EXCEPT.

function query(st: Stack, f: QueryFrame, lx: Lexeme): Step {
  const w = word(lx);
  if (f.ph === 'afterCore') {
    if (!f.closed && (w === 'union' || w === 'intersect' || w === 'except')) return setTop(st, { ...f, ph: w === 'union' ? 'afterUnion' : 'afterOp' });
    if ((f.role === 'scalar' || f.role === 'in') && f.outs!.length !== 1) return null;
    return { fin: { agg: false, outs: f.outs! }, consumed: false };
  }
  if (f.ph === 'afterUnion' && w === 'all') return setTop(st, { ...f, ph: 'afterOp' });
  if ((f.ph === 'afterOp' || f.ph === 'afterUnion') && w === 'select') return push(setTop(st, { ...f, ph: 'core' }), newCore(f.outs!.length, f.outs, f.match));
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// The SELECT core.

/** Phases where the SELECT may end (or move to a later clause). */
const CORE_END = new Set<CorePhase>(['afterItem', 'afterAlias', 'afterSrc', 'afterOn', 'usingNext', 'afterWhere', 'afterGroupItem', 'afterHaving', 'afterOrderItem', 'afterDir', 'afterLimit', 'afterOffset']);
/** Rank of the clause each phase is in, for clause order. */
const RANK: Partial<Record<CorePhase, number>> = { afterItem: 0, afterAlias: 0, afterSrc: 1, afterOn: 1, usingNext: 1, afterWhere: 2, afterGroupItem: 3, afterHaving: 4, afterOrderItem: 5, afterDir: 5, afterLimit: 6, afterOffset: 6 };

function core(ctx: Ctx, st: Stack, f: CoreFrame, lx: Lexeme): Step {
  const i = st.length - 1;
  const w = word(lx);
  switch (f.ph) {
    case 'select':
      if (w === 'distinct' || w === 'all') return setTop(st, { ...f, ph: 'item' });
      return { re: setTop(st, { ...f, ph: 'item' }) };
    case 'item':
      if (f.items.length >= f.maxArity) return null;
      return { re: push(setTop(st, f), newExpr(true, { starOk: true })) };
    case 'alias':
      if (lx.t !== 'word' || !newName(w) || !f.pendingItem) return null;
      const aggAliases = f.pendingAgg ? [...f.aggAliases, w] : f.aggAliases;
      return setTop(st, { ...f, ph: 'afterAlias', items: [...f.items, { name: w, plain: true }], aliases: [...f.aliases, w], aggAliases, pendingItem: null });
    case 'from': {
      if (lx.t !== 'word' && lx.t !== 'qid') return null;
      const next = addSource(ctx, st, f, lx.v.toLowerCase());
      return next ? setTop(st, next) : null;
    }
    case 'srcAlias': {
      if (lx.t !== 'word') return null;
      const next = aliasLast(ctx, st, f, w);
      return next ? setTop(st, next) : null;
    }
    case 'joinKw':
      if (w === 'outer' && f.joined) return setTop(st, { ...f, ph: 'outer' });
      return w === 'join' ? setTop(st, { ...f, ph: 'from', joined: true }) : null;
    case 'outer':
      return w === 'join' ? setTop(st, { ...f, ph: 'from', joined: true }) : null;
    case 'using':
      return lx.t === '(' ? setTop(st, { ...f, ph: 'usingCol' }) : null;
    case 'usingCol': {
      if (lx.t !== 'word') return null;
      const last = f.srcs[f.srcs.length - 1]!;
      const left = f.srcs.slice(0, -1).filter((s) => s.cols.includes(w));
      if (!last.cols.includes(w) || left.length !== 1) return null;
      return setTop(st, { ...f, ph: 'usingClose', using: [...f.using, w] });
    }
    case 'usingClose': {
      if (lx.t === ',') return setTop(st, { ...f, ph: 'usingCol' });
      return lx.t === ')' && !lx.ws.includes('\n') ? setTop(st, { ...f, ph: 'usingNext', joined: false }) : null;
    }
    case 'groupBy':
      return w === 'by' ? push(setTop(st, { ...f, ph: 'groupItem', grouped: true }), newExpr(false)) : null;
    case 'orderBy':
      return w === 'by' ? push(setTop(st, { ...f, ph: 'orderItem' }), orderTerm(f)) : null;
    case 'limit':
    case 'offset':
      if (lx.t !== 'num' || !/^[0-9]{1,9}$/.test(lx.v)) return null;
      return setTop(st, { ...f, ph: f.ph === 'limit' ? 'afterLimit' : 'afterOffset' });
    default:
      break;
  }
  // Phases after an item, a source, a clause: what may come next.
  if (f.ph === 'afterItem' || f.ph === 'afterAlias') {
    if (w === 'as' && f.ph === 'afterItem') {
      const last = f.items[f.items.length - 1]!;
      if (!('name' in last)) return null; // `*` takes no alias
      return setTop(st, { ...f, ph: 'alias', items: f.items.slice(0, -1), pendingItem: last, pendingAgg: last.agg === true });
    }
    if (lx.t === ',') return f.items.length < Math.min(f.maxArity, MAX_ITEMS) && (!f.compound || f.items.length < f.compound.length) ? setTop(st, { ...f, ph: 'item' }) : null;
    // After UNION …, FROM fixes the column count (unless a `*` is still to be expanded).
    if (w === 'from' && f.compound && f.items.every((it) => 'name' in it) && f.items.length !== f.compound.length) return null;
    if (w === 'from') return canAddSource(ctx, st, f) ? setTop(st, { ...f, ph: 'from', joined: false }) : null;
  }
  if (f.ph === 'afterSrc' || f.ph === 'afterOn' || f.ph === 'usingNext') {
    // AS only when some alias fits; JOIN (or a comma) only when some source can still be added.
    if (f.ph === 'afterSrc' && w === 'as' && !f.aliased) return aliasChoices(f).some((q) => aliasLast(ctx, st, f, q)) ? setTop(st, { ...f, ph: 'srcAlias' }) : null;
    if (f.needAlias) return null;
    const room = f.srcs.length < MAX_SOURCES && (lx.t === ',' || w === 'join' || w === 'inner' || w === 'cross' || w === 'left') && canAddSource(ctx, st, f);
    if (room && lx.t === ',') return setTop(st, { ...f, ph: 'from', joined: false });
    if (room && w === 'join') return setTop(st, { ...f, ph: 'from', joined: true });
    if (room && (w === 'inner' || w === 'cross')) return setTop(st, { ...f, ph: 'joinKw', joined: false });
    if (room && w === 'left') return setTop(st, { ...f, ph: 'joinKw', joined: true });
    if (f.ph === 'afterSrc' && f.joined && w === 'on') return push(setTop(st, { ...f, ph: 'on' }), newExpr(false));
    if (f.ph === 'afterSrc' && f.joined && w === 'using') return setTop(st, { ...f, ph: 'using' });
  }
  if (f.ph === 'afterOrderItem' && (w === 'asc' || w === 'desc')) return setTop(st, { ...f, ph: 'afterDir' });
  if ((f.ph === 'afterOrderItem' || f.ph === 'afterDir') && lx.t === ',') return push(setTop(st, { ...f, ph: 'orderItem' }), orderTerm(f));
  if (f.ph === 'afterGroupItem' && lx.t === ',') return push(setTop(st, { ...f, ph: 'groupItem' }), newExpr(false));
  if (f.ph === 'afterLimit' && (w === 'offset' || lx.t === ',')) return setTop(st, { ...f, ph: 'offset' });
  if (!CORE_END.has(f.ph)) return null;
  return clauseOrEnd(st, i, f, lx);
}

/**
 * The SELECT with source `name` (a table or finished CTE) added to its FROM clause, or null when it cannot be: the
 * select list must stay bindable (feasible.ts) with the source under its own name or an alias it may still take.
 */
function addSource(ctx: Ctx, st: Stack, f: CoreFrame, name: string): CoreFrame | null {
  const cols = sourceColumns(ctx, st, name);
  if (!cols || f.srcs.length >= MAX_SOURCES) return null;
  const dup = f.srcs.some((s) => s.qual === name);
  const src = { qual: name, name, cols };
  if (!dup && !qualFits(f, src)) return null;
  const next: CoreFrame = { ...f, ph: 'afterSrc', srcs: [...f.srcs, src], needAlias: dup, aliased: false };
  const quals = dup ? aliasChoices(f) : [name, ...aliasChoices(f)];
  if (!quals.some((q) => canBind(ctx, st, { ...next, srcs: [...f.srcs, { ...src, qual: q }] }))) return null;
  return arityOk(next) ? next : null;
}

/** The aliases a new source may take: the select list's unbound qualifiers (T2 of `SELECT T2.name`), or a fresh one. */
function aliasChoices(f: CoreFrame): string[] {
  const taken = (q: string) => f.srcs.some((x) => x.qual === q);
  const unbound = [...new Set(f.deferred.map((r) => r.q))].filter((q): q is string => q !== null && TABLE_ALIAS.test(q) && !taken(q));
  const fresh = Array.from({ length: MAX_SOURCES + 1 }, (_, k) => `t${k + 1}`).find((q) => !taken(q) && !unbound.includes(q));
  return [...unbound, fresh!];
}

/** The SELECT with its last source aliased `alias`, or null. */
function aliasLast(ctx: Ctx, st: Stack, f: CoreFrame, alias: string): CoreFrame | null {
  if (!TABLE_ALIAS.test(alias)) return null;
  const srcs = f.srcs.slice();
  const last = srcs.pop()!;
  if (srcs.some((s) => s.qual === alias)) return null;
  const src = { ...last, qual: alias };
  if (!qualFits(f, src)) return null;
  const next: CoreFrame = { ...f, ph: 'afterSrc', srcs: [...srcs, src], needAlias: false, aliased: true };
  return canBind(ctx, st, next) ? next : null;
}

/** Whether some table or finished CTE can still be added to the SELECT's FROM clause. */
function canAddSource(ctx: Ctx, st: Stack, f: CoreFrame): boolean {
  return [...chainOf(st).ctes.keys(), ...ctx.catalog.tables.keys()].some((n) => addSource(ctx, st, f, n) !== null);
}

/** The SELECT after a complete clause: a later clause starts, or the SELECT ends (its FROM clause ends first). */
function clauseOrEnd(st: Stack, i: number, f: CoreFrame, lx: Lexeme): Step {
  const rank = RANK[f.ph]!;
  const w = word(lx);
  const clause = w === 'where' ? 2 : w === 'group' ? 3 : w === 'having' ? 4 : w === 'order' ? 5 : w === 'limit' ? 6 : -1;
  if (clause >= 0 && clause <= rank) return null;
  let c = f;
  if (rank < 2) {
    if (rank === 0 && (f.deferred.length > 0 || f.items.some((it) => 'star' in it))) return null; // columns need FROM
    const done = rank === 0 ? { ...f, fromDone: true } : endFrom(st, i, f);
    if (!done) return null;
    c = done;
  }
  if (rank === 0 && (w === 'where' || w === 'group' || w === 'having')) return null;
  switch (clause) {
    case 2:
      return push(setTop(st, { ...c, ph: 'where' }), newExpr(false));
    case 3:
      return setTop(st, { ...c, ph: 'groupBy' });
    case 4:
      if (!c.agg && !c.grouped) return null;
      return push(setTop(st, { ...c, ph: 'having' }), newExpr(true));
    case 5:
      return setTop(st, { ...c, ph: 'orderBy' });
    case 6:
      return setTop(st, { ...c, ph: 'limit' });
  }
  if (!arityOk(c)) return null;
  const outs = itemColumns(c);
  if (c.compound && outs.length !== c.compound.length) return null;
  return { fin: { agg: false, outs, ordered: rank >= 5, match: plainNames(c) }, consumed: false };
}

/** A select-list `*` (its expression on top of the SELECT) leaves the SELECT a way to end: see fitsStar. */
function starFits(ctx: Ctx, st: Stack): boolean {
  const core = st[st.length - 2];
  return core?.k !== 'core' || !Number.isFinite(core.maxArity) || fitsStar(ctx, st, core);
}

/** Whether some table or finished CTE alone gives a `*` as many columns as the SELECT may still have. */
function fitsStar(ctx: Ctx, st: Stack, f: CoreFrame): boolean {
  const room = f.maxArity - f.items.length;
  const fits = (cols: readonly string[]) => cols.length === room;
  return [...ctx.catalog.tables.values()].some(fits) || [...chainOf(st).ctes.values()].some(fits);
}

/** The plain column names of a SELECT's items (see Item). */
function plainNames(f: CoreFrame): string[] {
  const stars = f.items.some((it) => 'star' in it) ? itemColumns({ ...f, items: f.items.filter((it) => 'star' in it) }) : [];
  return [...f.items.flatMap((it) => ('name' in it && it.plain && it.name ? [it.name] : [])), ...stars];
}

/** An ORDER BY term: aggregates only in an aggregate query; after UNION … one result column (see ExprFrame.lone). */
function orderTerm(f: CoreFrame): ExprFrame {
  return f.compound ? newExpr(false, { lone: [...f.compoundMatch, ...plainNames(f)] }) : newExpr(f.agg || f.grouped);
}

/** A SELECT's result columns fit its query (one in a scalar subquery, as many as the first SELECT after UNION). */
function arityOk(f: CoreFrame): boolean {
  return itemColumns(f).length <= f.maxArity;
}

/** A finished expression (or subquery) handed to the SELECT it stands in. */
function coreChild(ctx: Ctx, st: Stack, f: CoreFrame, d: Done): Stack | null {
  switch (f.ph) {
    case 'item': {
      const item: Item = d.star !== undefined ? { star: d.star } : { name: d.single ?? '', plain: d.plain === true, agg: d.agg };
      // `*` in a SELECT whose column count is fixed (a scalar or IN subquery, after UNION): some source must fit.
      if (d.star !== undefined && Number.isFinite(f.maxArity) && !fitsStar(ctx, st, f)) return null;
      const next = { ...f, ph: 'afterItem' as const, items: [...f.items, item], agg: f.agg || d.agg };
      if (f.compound && f.items.length + 1 > f.compound.length) return null;
      return setTop(st, next);
    }
    case 'on':
      return setTop(st, { ...f, ph: 'afterOn', joined: false });
    case 'where':
      return setTop(st, { ...f, ph: 'afterWhere' });
    case 'groupItem':
      return d.num == null ? setTop(st, { ...f, ph: 'afterGroupItem' }) : null; // GROUP BY 2: a column number, out of range or an aggregate
    case 'having':
      return setTop(st, { ...f, ph: 'afterHaving' });
    case 'orderItem': {
      if (d.num != null) {
        const n = Number(d.num);
        if (!Number.isInteger(n) || n < 1 || n > itemColumns(f).length) return null;
      }
      if (f.compound && d.num == null && (!d.plain || ![...f.compoundMatch, ...plainNames(f)].includes(d.single!))) return null;
      return setTop(st, { ...f, ph: 'afterOrderItem' });
    }
    default:
      void ctx;
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions.

function expr(ctx: Ctx, st: Stack, f: ExprFrame, lx: Lexeme): Step {
  const w = word(lx);
  switch (f.ph) {
    case 'operand':
      return operand(ctx, st, f, lx, w);
    case 'qualcol': {
      if (lx.ws !== '') return null; // `T1. name`: nothing between a qualifier's dot and its column
      if (lx.t === 'op' && lx.v === '*' && f.starOk && f.n === 0 && starFits(ctx, st)) return setTop(st, { ...f, ph: 'operator', n: 1, star: f.qual });
      if (lx.t !== 'word' && lx.t !== 'qid') return null;
      const c = lx.v.toLowerCase();
      if (f.lone && !f.lone.includes(c)) return null;
      const next = resolveColumn(ctx, st, f.qual, c, f.aggOk);
      if (!next) return null;
      return setTop(next, { ...f, ph: 'operator', n: f.n + 1, single: f.n === 0 ? c : null });
    }
    case 'not':
      if (w === 'like' || w === 'glob') return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
      if (w === 'in') return setTop(st, { ...f, ph: 'inOpen' });
      if (lx.t === 'call' && lx.v.toLowerCase() === 'in') return inList(st, f);
      if (w === 'between') return betweenStart(st, f);
      return null;
    case 'inOpen':
      return lx.t === '(' ? inList(st, f) : null;
    case 'existsOpen':
      return lx.t === '(' ? push(setTop(st, { ...f, ph: 'operator', n: f.n + 1 }), groupFrame('exists', f.aggOk, 'sub')) : null;
    case 'operator':
      break;
  }
  // After a complete operand.
  const end: Step = { fin: { agg: f.agg, single: f.n === 1 ? f.single : null, num: f.n === 1 || (f.n === 2 && f.sign) ? f.num : null, star: f.star, plain: f.n === 1 && f.single !== null && f.qual === '' }, consumed: false };
  if (f.star !== undefined || f.lone) return end;
  if (lx.t === 'op' && (COMPARISON.has(lx.v) || ARITHMETIC.has(lx.v))) {
    if (f.bound && COMPARISON.has(lx.v)) return end;
    return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
  }
  if (f.bound) return end;
  if (w === 'and' || w === 'or' || w === 'is' || w === 'like' || w === 'glob') return setTop(st, { ...f, ph: 'operand', n: f.n + 1 });
  if (w === 'not') return setTop(st, { ...f, ph: 'not', n: f.n + 1 });
  if (w === 'in') return setTop(st, { ...f, ph: 'inOpen', n: f.n + 1 });
  if (lx.t === 'call' && lx.v.toLowerCase() === 'in') return inList(st, { ...f, n: f.n + 1 });
  if (w === 'between') return betweenStart(st, { ...f, n: f.n + 1 });
  return end;
}

function operand(ctx: Ctx, st: Stack, f: ExprFrame, lx: Lexeme, w: string): Step {
  if (f.lone && !((lx.t === 'num' && /^[1-9][0-9]?$/.test(lx.v)) || ((lx.t === 'word' || lx.t === 'qid') && f.lone.includes(lx.v.toLowerCase())))) return null;
  const done = (g: ExprFrame, single: string | null = null, num: string | null = null): ExprFrame => ({
    ...g,
    ph: 'operator',
    n: g.n + 1,
    single: g.n === 0 ? single : null,
    num: g.n === 0 ? num : g.n === 1 && g.sign && num ? g.sign + num : null,
  });
  switch (lx.t) {
    case 'num':
      return setTop(st, done(f, null, lx.v));
    case 'str':
      return setTop(st, done(f));
    case '(':
      return push(setTop(st, done(f)), groupFrame('paren', f.aggOk, 'first'));
    case 'op':
      if (lx.v === '-' || lx.v === '+') return setTop(st, { ...f, n: f.n + 1, sign: f.n === 0 ? lx.v : f.sign });
      if (lx.v === '*' && f.starOk && f.n === 0 && starFits(ctx, st)) return setTop(st, { ...f, ph: 'operator', n: 1, star: null });
      return null;
    case 'qual': {
      const q = lx.v.toLowerCase();
      if (!qualifierOk(ctx, st, q)) return null;
      const next = setTop(st, { ...f, ph: 'qualcol', qual: q });
      // Some column of q must be able to follow (each is judged as the column lexeme would be).
      return qualifierColumns(ctx, st, q).some((c) => expr(ctx, next, next[next.length - 1] as ExprFrame, { t: 'word', v: c, ws: '' }) !== null) ? next : null;
    }
    case 'call': {
      const fn = lx.v.toLowerCase();
      if (fn === 'cast') return push(setTop(st, done(f)), { k: 'cast', ph: 'expr', aggOk: f.aggOk, agg: false }, newExpr(f.aggOk));
      if (fn === 'exists') return push(setTop(st, done(f)), groupFrame('exists', f.aggOk, 'sub'));
      const spec = FUNCTIONS.get(fn);
      if (!spec || (spec.agg === 'always' && !f.aggOk)) return null;
      const c: CallFrame = { k: 'call', fn, ph: 'first', argc: 0, distinct: false, aggOk: f.aggOk, agg: false };
      return push(setTop(st, done(f)), c);
    }
    case 'qid':
    case 'word': {
      if (lx.t === 'word') {
        if (LITERAL_WORDS.has(w)) return setTop(st, done(f));
        if (w === 'not') return setTop(st, { ...f, n: f.n + 1 });
        if (w === 'case') return push(setTop(st, done(f)), { k: 'case', ph: 'start', aggOk: f.aggOk, agg: false });
        if (w === 'exists') return setTop(st, { ...f, ph: 'existsOpen' });
        if (RESERVED.has(w)) return null;
      }
      const c = lx.v.toLowerCase();
      const next = resolveColumn(ctx, st, null, c, f.aggOk);
      return next ? setTop(next, done(f, c)) : null;
    }
    default:
      return null;
  }
}

function groupFrame(k: GroupFrame['k'], aggOk: boolean, ph: GroupFrame['ph']): GroupFrame {
  return { k, ph, aggOk, agg: false };
}

function inList(st: Stack, f: ExprFrame): Stack {
  return push(setTop(st, { ...f, ph: 'operator' }), groupFrame('inlist', f.aggOk, 'first'));
}

function betweenStart(st: Stack, f: ExprFrame): Stack {
  const b: BetweenFrame = { k: 'between', ph: 'lo', aggOk: f.aggOk, agg: false };
  return push(setTop(st, { ...f, ph: 'operator' }), b, newExpr(f.aggOk, { bound: true }));
}

// ---------------------------------------------------------------------------------------------------------------
// Calls, parentheses, IN lists, EXISTS, BETWEEN, CASE, CAST.

function call(st: Stack, f: CallFrame, lx: Lexeme): Step {
  const spec = FUNCTIONS.get(f.fn)!;
  const argAggOk = spec.agg === 'never' && f.aggOk;
  if (f.ph === 'first') {
    if (lx.t === ')') return finishCall(f, 0);
    if (kw(lx, 'distinct') && spec.agg !== 'never' && f.aggOk) return push(setTop(st, { ...f, ph: 'arg', distinct: true }), newExpr(false));
    if (lx.t === 'op' && lx.v === '*' && f.fn === 'count') return setTop(st, { ...f, ph: 'starClose' });
    return { re: push(setTop(st, { ...f, ph: 'arg' }), newExpr(argAggOk)) };
  }
  if (f.ph === 'starClose') return lx.t === ')' ? finishCall(f, 1) : null;
  if (f.ph === 'afterArg') {
    if (lx.t === ')') return finishCall(f, f.argc);
    if (lx.t === ',' && !f.distinct && f.argc < spec.max) return push(setTop(st, { ...f, ph: 'arg' }), newExpr(argAggOk));
  }
  return null;
}

function finishCall(f: CallFrame, argc: number): Step {
  const spec = FUNCTIONS.get(f.fn)!;
  if (argc < spec.min || argc > spec.max) return null;
  const isAgg = spec.agg === 'always' || (spec.agg === 'one-arg' && argc === 1);
  if (isAgg && !f.aggOk) return null;
  if (f.distinct && argc !== 1) return null;
  if (f.distinct && !isAgg) return null;
  return { fin: { agg: isAgg || f.agg }, consumed: true };
}

function groupStep(st: Stack, f: GroupFrame, lx: Lexeme): Step {
  switch (f.ph) {
    case 'first':
      if (kw(lx, 'select')) return startQuery(setTop(st, { ...f, ph: 'close' }), f.k === 'inlist' ? 'in' : 'scalar');
      if (f.k === 'inlist' && lx.t === ')') return null;
      return { re: push(setTop(st, { ...f, ph: f.k === 'inlist' ? 'item' : 'close' }), newExpr(f.aggOk)) };
    case 'sub':
      return kw(lx, 'select') ? startQuery(setTop(st, { ...f, ph: 'close' }), 'exists') : null;
    case 'afterItem':
      if (lx.t === ',') return push(setTop(st, { ...f, ph: 'item' }), newExpr(f.aggOk));
      return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
    case 'close':
      return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
    default:
      return null;
  }
}

function between(st: Stack, f: BetweenFrame, lx: Lexeme): Step {
  if (f.ph === 'and') return kw(lx, 'and') ? push(setTop(st, { ...f, ph: 'hi' }), newExpr(f.aggOk, { bound: true })) : null;
  if (f.ph === 'done') return { fin: { agg: f.agg }, consumed: false };
  return null;
}

function caseExpr(st: Stack, f: CaseFrame, lx: Lexeme): Step {
  const w = word(lx);
  const sub = (ph: CaseFrame['ph']) => push(setTop(st, { ...f, ph }), newExpr(f.aggOk));
  switch (f.ph) {
    case 'start':
      if (w === 'when') return sub('when');
      return { re: push(setTop(st, { ...f, ph: 'base' }), newExpr(f.aggOk)) };
    case 'afterBase':
      return w === 'when' ? sub('when') : null;
    case 'afterWhen':
      return w === 'then' ? sub('then') : null;
    case 'afterThen':
      if (w === 'when') return sub('when');
      if (w === 'else') return sub('else');
      return w === 'end' ? { fin: { agg: f.agg }, consumed: true } : null;
    case 'afterElse':
      return w === 'end' ? { fin: { agg: f.agg }, consumed: true } : null;
    default:
      return null;
  }
}

function cast(st: Stack, f: CastFrame, lx: Lexeme): Step {
  if (f.ph === 'as') return kw(lx, 'as') ? setTop(st, { ...f, ph: 'type' }) : null;
  if (f.ph === 'type') return lx.t === 'word' && TYPE_NAMES.has(word(lx)) ? setTop(st, { ...f, ph: 'close' }) : null;
  if (f.ph === 'close') return lx.t === ')' ? { fin: { agg: f.agg }, consumed: true } : null;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// A finished frame handed to the frame below it.

function onChild(ctx: Ctx, st: Stack, d: Done): Stack | null {
  const f = st[st.length - 1]!;
  switch (f.k) {
    case 'chain':
      if (f.ph === 'inCte') return setTop(st, { ...f, ph: 'cteClose', cols: d.outs ?? [] });
      if (f.ph === 'final') return setTop(st, { ...f, ph: 'done' });
      return null;
    case 'query':
      return setTop(st, { ...f, ph: 'afterCore', outs: f.outs ?? d.outs!, closed: d.ordered === true, match: f.outs ? f.match : (d.match ?? []) });
    case 'core':
      return coreChild(ctx, st, f, d);
    case 'expr':
      return setTop(st, { ...f, agg: f.agg || d.agg });
    case 'call':
      return setTop(st, { ...f, ph: 'afterArg', argc: f.argc + 1, agg: f.agg || d.agg });
    case 'paren':
    case 'inlist':
    case 'exists':
      return setTop(st, { ...f, ph: f.ph === 'item' ? 'afterItem' : f.ph, agg: f.agg || d.agg });
    case 'between':
      return setTop(st, { ...f, ph: f.ph === 'lo' ? 'and' : 'done', agg: f.agg || d.agg });
    case 'case': {
      const next: Partial<Record<CaseFrame['ph'], CaseFrame['ph']>> = { base: 'afterBase', when: 'afterWhen', then: 'afterThen', else: 'afterElse' };
      const ph = next[f.ph];
      return ph ? setTop(st, { ...f, ph, agg: f.agg || d.agg }) : null;
    }
    case 'cast':
      return f.ph === 'expr' ? setTop(st, { ...f, ph: 'as', agg: f.agg || d.agg }) : null;
  }
}

