/**
 * Helpers over the sql-parser-cst syntax tree (SQLite dialect): parsing with source ranges, walking, finding column
 * references, aggregate calls and subqueries, and re-printing a range of the source with edits spliced in.
 */
import { parse } from 'sql-parser-cst';
import { NEVER_BARE } from './sqlcheck/catalog';
import { lex } from './sqlLexer';

/** A CST node as sql-parser-cst produces it (only the fields used here are typed). */
export interface Node {
  type: string;
  range?: [number, number];
  text?: string;
  name?: string | Node;
  [key: string]: unknown;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface ParsedSql {
  statements: Node[];
  /** The text the ranges refer to: the input, with keywords used as table names (`FROM match`) double-quoted. */
  text: string;
}

/**
 * The deepest bracket nesting parsed. sql-parser-cst backtracks: on text that does not parse, its time doubles with
 * each level of brackets (`1 IN (1 IN (… ()))` 12 deep takes 0.3 s, 16 deep 5 s), and the studio parses on the page
 * (describeStep on every edit). Spider's gold queries and the model's answers nest at most 7 deep; valid SQL 14 deep
 * parses in a few milliseconds.
 */
export const MAX_PARSE_DEPTH = 10;

/** The deepest nesting of `(` outside strings, quoted names and comments. */
export function bracketDepth(sql: string): number {
  let depth = 0;
  let max = 0;
  for (const t of lex(sql)) {
    if (t.kind === 'open') max = Math.max(max, ++depth);
    else if (t.kind === 'close') depth = Math.max(0, depth - 1);
  }
  return max;
}

/**
 * Parses SQLite SQL. SQLite accepts some keywords as plain names (a table called MATCH or CAST, a column `key`); the
 * parser does not, so a keyword it rejects is double-quoted and the parse retried: after FROM, JOIN or a comma any
 * keyword, elsewhere one that SQLite takes as a name (not in catalog.ts NEVER_BARE). Text nested deeper than
 * MAX_PARSE_DEPTH is refused at once (see there).
 */
export function parseSqlite(sql: string): ParsedSql {
  const depth = bracketDepth(sql);
  if (depth > MAX_PARSE_DEPTH) throw new Error(`The brackets nest ${depth} deep; at most ${MAX_PARSE_DEPTH} levels are read here.`);
  let text = sql;
  for (let attempt = 0; ; attempt++) {
    try {
      const cst = parse(text, { dialect: 'sqlite', includeRange: true, paramTypes: ['?', '?nr', ':name', '$name', '@name'] });
      return { statements: cst.statements as unknown as Node[], text };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const word = /Unexpected "([A-Za-z_]+)"/.exec(msg)?.[1];
      const at = /-->[^:]*:(\d+):(\d+)/.exec(msg);
      if (!word || !at || attempt >= 8) throw e;
      const offset = offsetOf(text, Number(at[1]), Number(at[2]));
      if (text.slice(offset, offset + word.length).toUpperCase() !== word.toUpperCase()) throw e;
      const before = text.slice(0, offset).trimEnd().split(/\s+/).pop()?.toUpperCase() ?? '';
      // A table name, or any keyword SQLite itself takes as a plain name (a column `match` in `count(match)`).
      if (!['FROM', 'JOIN', ','].includes(before) && !before.endsWith(',') && NEVER_BARE.has(word.toLowerCase())) throw e;
      text = `${text.slice(0, offset)}"${text.slice(offset, offset + word.length)}"${text.slice(offset + word.length)}`;
    }
  }
}

function offsetOf(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) off = text.indexOf('\n', off) + 1;
  return off + col - 1;
}

export function rangeOf(n: Node): [number, number] {
  if (!n.range) throw new Error(`node ${n.type} has no range`);
  return n.range;
}

/** A character that continues an SQLite word (a name, a keyword, a number). */
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Source text of [start, end) with edits applied (edits must not overlap; nested ones are dropped). An edit never
 * joins two words: `[language_id]title` (a column and its alias) with the column renamed is `language_id title`.
 */
export function splice(src: string, start: number, end: number, edits: Edit[]): string {
  const sorted = edits.filter((e) => e.start >= start && e.end <= end).sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = start;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += src.slice(pos, e.start);
    const joinsBefore = WORD_CHAR.test(out.at(-1) ?? '') && WORD_CHAR.test(e.text[0] ?? '');
    const joinsAfter = e.end < end && WORD_CHAR.test(src[e.end] ?? '') && WORD_CHAR.test(e.text.at(-1) ?? '');
    out += `${joinsBefore ? ' ' : ''}${e.text}${joinsAfter ? ' ' : ''}`;
    pos = e.end;
  }
  return out + src.slice(pos, end);
}

export function textOf(src: string, n: Node, edits: Edit[] = []): string {
  const [s, e] = rangeOf(n);
  return splice(src, s, e, edits);
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'range' || k === 'leading' || k === 'trailing') continue;
    if (Array.isArray(v)) for (const x of v) (x && typeof x === 'object' && 'type' in x) && out.push(x as Node);
    else if (v && typeof v === 'object' && 'type' in v) out.push(v as Node);
  }
  return out;
}

/** Depth-first walk; return false from `visit` to skip a node's children. */
export function walk(n: Node, visit: (n: Node) => boolean | void): void {
  if (visit(n) === false) return;
  for (const c of children(n)) walk(c, visit);
}

export function isSelect(n: Node | undefined): boolean {
  return !!n && (n.type === 'select_stmt' || n.type === 'compound_select_stmt');
}

/** A parenthesized SELECT used as an expression or a derived table. */
export function isSubquery(n: Node): boolean {
  return n.type === 'paren_expr' && isSelect(n.expr as Node);
}

export const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'total', 'group_concat', 'string_agg']);

function funcName(n: Node): string {
  const name = n.name as Node | undefined;
  return (name && typeof name === 'object' ? String(name.name ?? name.text ?? '') : '').toLowerCase();
}

function argCount(n: Node): number {
  const args = (n.args as Node | undefined)?.expr as Node | undefined;
  const list = args?.args as Node | undefined;
  return Array.isArray(list?.items) ? (list!.items as Node[]).length : 0;
}

/** An aggregate call (not a window call; min/max with several arguments are scalar functions). */
export function isAggregateCall(n: Node): boolean {
  if (n.type !== 'func_call' || n.over) return false;
  const f = funcName(n);
  if (!AGGREGATES.has(f)) return false;
  return !((f === 'min' || f === 'max') && argCount(n) > 1);
}

export function isWindowCall(n: Node): boolean {
  return n.type === 'func_call' && !!n.over;
}

/** A column reference: `col`, `t.col`, or a `t.*` star. */
export interface ColumnRef {
  node: Node;
  qualifier: string | null;
  column: string;
  star: boolean;
  /** Written with double quotes (SQLite may read it as a string literal). */
  doubleQuoted: boolean;
}

function identName(n: Node): string {
  return String(n.name ?? n.text ?? '');
}

/**
 * Column references in an expression, outside subqueries. Function names, COLLATE names, aliases and data types are
 * not references.
 */
export function columnRefs(expr: Node): ColumnRef[] {
  const out: ColumnRef[] = [];
  walk(expr, (n) => {
    if (isSubquery(n) || isSelect(n)) return false;
    if (n.type === 'member_expr') {
      const obj = n.object as Node;
      const prop = n.property as Node;
      if (obj.type === 'identifier' && (prop.type === 'identifier' || prop.type === 'all_columns')) {
        out.push({
          node: n,
          qualifier: identName(obj),
          column: prop.type === 'all_columns' ? '*' : identName(prop),
          star: prop.type === 'all_columns',
          doubleQuoted: String(prop.text ?? '').startsWith('"'),
        });
      }
      return false;
    }
    if (n.type === 'identifier') {
      out.push({ node: n, qualifier: null, column: identName(n), star: false, doubleQuoted: String(n.text ?? '').startsWith('"') });
      return false;
    }
    if (n.type === 'func_call') {
      if (n.args) walk(n.args as Node, (m) => (m === n.args ? true : visitInner(m, out)));
      return false;
    }
    if (n.type === 'alias') {
      walk(n.expr as Node, (m) => visitInner(m, out));
      return false;
    }
    if (n.type === 'binary_expr' && isKeyword(n.operator, 'COLLATE')) {
      walk(n.left as Node, (m) => visitInner(m, out));
      return false;
    }
    if (n.type === 'cast_arg') {
      walk(n.expr as Node, (m) => visitInner(m, out));
      return false;
    }
    return true;
  });
  return out;
}

/** Re-enters columnRefs' logic for a nested node (collecting into `out`). */
function visitInner(m: Node, out: ColumnRef[]): boolean {
  out.push(...columnRefs(m));
  return false;
}

function isKeyword(op: unknown, kw: string): boolean {
  return !!op && typeof op === 'object' && (op as Node).type === 'keyword' && String((op as Node).name).toUpperCase() === kw;
}

/** Aggregate calls in an expression (outermost only), outside subqueries. */
export function aggregateCalls(expr: Node): Node[] {
  const out: Node[] = [];
  walk(expr, (n) => {
    if (isSubquery(n) || isSelect(n)) return false;
    if (isAggregateCall(n)) {
      out.push(n);
      return false;
    }
    return true;
  });
  return out;
}

/** Subqueries directly inside an expression (not nested in another subquery). */
export function subqueries(expr: Node): Node[] {
  const out: Node[] = [];
  walk(expr, (n) => {
    if (isSubquery(n)) {
      out.push(n);
      return false;
    }
    return true;
  });
  return out;
}

export function hasWindow(expr: Node): boolean {
  let found = false;
  walk(expr, (n) => {
    if (isSubquery(n)) return false;
    if (isWindowCall(n)) found = true;
    return !found;
  });
  return found;
}

/** Table names and aliases a SELECT (and its nested SELECTs) define in FROM clauses, lower-cased. */
export function definedSources(n: Node): Set<string> {
  const out = new Set<string>();
  walk(n, (m) => {
    if (m.type === 'from_clause') collectFromNames(m.expr as Node, out);
    if (m.type === 'common_table_expr') out.add(identName(m.table as Node).toLowerCase());
    return true;
  });
  return out;
}

function collectFromNames(n: Node, out: Set<string>): void {
  if (!n) return;
  if (n.type === 'identifier') out.add(identName(n).toLowerCase());
  else if (n.type === 'member_expr') out.add(identName(n.property as Node).toLowerCase());
  else if (n.type === 'alias') {
    out.add(identName(n.alias as Node).toLowerCase());
    collectFromNames(n.expr as Node, out);
  } else if (n.type === 'join_expr') {
    collectFromNames(n.left as Node, out);
    collectFromNames(n.right as Node, out);
  } else if (n.type === 'paren_expr' && !isSelect(n.expr as Node)) collectFromNames(n.expr as Node, out);
}

/** FROM sources of one SELECT: table name (null for a derived table) and the name it is referenced by. */
export interface Source {
  table: string | null;
  alias: string;
}

export function fromSources(from: Node | undefined): Source[] {
  const out: Source[] = [];
  const visit = (n: Node | undefined): void => {
    if (!n) return;
    if (n.type === 'identifier') out.push({ table: identName(n), alias: identName(n) });
    else if (n.type === 'alias') {
      const e = n.expr as Node;
      out.push({ table: e.type === 'identifier' ? identName(e) : null, alias: identName(n.alias as Node) });
    } else if (n.type === 'join_expr') {
      visit(n.left as Node);
      visit(n.right as Node);
    } else if (n.type === 'paren_expr' && !isSelect(n.expr as Node)) visit(n.expr as Node);
    else if (isSubquery(n)) out.push({ table: null, alias: '' });
  };
  visit(from);
  return out;
}

/** Every column reference inside a node, subqueries included (used for correlation checks). */
export function allRefsDeep(n: Node): ColumnRef[] {
  if (n.type === 'select_stmt') return (n.clauses as Node[]).flatMap((c) => (c.type === 'from_clause' ? fromRefsDeep(c) : allRefsDeep(c)));
  if (n.type === 'compound_select_stmt') return [...allRefsDeep(n.left as Node), ...allRefsDeep(n.right as Node)];
  const out = columnRefs(n);
  walk(n, (m) => {
    if (m !== n && isSelect(m)) {
      out.push(...allRefsDeep(m));
      return false;
    }
    return true;
  });
  return out;
}

/** References in a FROM clause: join conditions and derived tables, not the table names. */
function fromRefsDeep(from: Node): ColumnRef[] {
  const out: ColumnRef[] = [];
  walk(from, (m) => {
    if (m.type === 'join_on_specification') {
      out.push(...allRefsDeep(m.expr as Node));
      return false;
    }
    if (isSelect(m)) {
      out.push(...allRefsDeep(m));
      return false;
    }
    return true;
  });
  return out;
}

/** True when the statement's result order is defined by a top-level ORDER BY (so comparisons must keep order). */
export function ordersResult(sql: string): boolean {
  let stmts: Node[];
  try {
    stmts = parseSqlite(sql.trim().replace(/;[\s;]*$/, '')).statements;
  } catch {
    return /\border\s+by\b/i.test(sql);
  }
  let s = stmts.find((x) => x.type !== 'empty');
  while (s && s.type === 'compound_select_stmt') s = s.right as Node;
  return !!s && ((s.clauses as Node[]) ?? []).some((c) => c.type === 'order_by_clause');
}

/** What a query is built from, for deciding whether it must split into several steps. */
export interface QueryShape {
  join: boolean;
  subquery: boolean;
  setOperation: boolean;
  groupBy: boolean;
}

export function queryShape(sql: string): QueryShape {
  const shape: QueryShape = { join: false, subquery: false, setOperation: false, groupBy: false };
  const stmt = parseSqlite(sql.trim().replace(/;[\s;]*$/, '')).statements.find((x) => x.type !== 'empty');
  if (!stmt) return shape;
  walk(stmt, (n) => {
    if (n.type === 'compound_select_stmt') shape.setOperation = true;
    if (isSubquery(n)) shape.subquery = true;
    if (n.type === 'group_by_clause') shape.groupBy = true;
    if (n.type === 'from_clause' && fromSources(n.expr as Node).length > 1) shape.join = true;
    return true;
  });
  return shape;
}

/** The tables a query reads (lower-case names from every FROM clause, subqueries included; CTE names too). */
export function queryTables(sql: string): Set<string> {
  const out = new Set<string>();
  for (const s of parseSqlite(sql).statements)
    walk(s, (n) => {
      if (n.type === 'from_clause') {
        walk(n.expr as Node, (m) => {
          if (m.type === 'identifier') out.add(String(m.name).toLowerCase());
          if (m.type === 'alias') {
            const e = m.expr as Node;
            if (e.type === 'identifier') out.add(String(e.name).toLowerCase());
            return e.type !== 'identifier';
          }
          return m.type === 'join_expr' || m.type === 'paren_expr' || m.type === 'select_stmt' || m.type === 'compound_select_stmt';
        });
      }
      return true;
    });
  return out;
}
