/**
 * SQL -> CoCTE decomposer, built on sql-parser-cst (SQLite dialect).
 *
 * A SELECT becomes successive steps:
 *   1. uncorrelated subqueries (WHERE / IN / NOT IN / EXISTS / scalar / FROM) are lifted into their own steps first;
 *   2. joins and WHERE filters -> one step projecting just the columns later steps need;
 *   3. GROUP BY -> an aggregation step (group keys, bare columns, every aggregate under a readable alias);
 *   4. HAVING -> a step filtering the aggregated rows;
 *   5. the final SELECT: projection, DISTINCT, ORDER BY, LIMIT.
 * UNION / INTERSECT / EXCEPT branches each become a step, and the final query combines them.
 * Source text is re-used by splicing edits into the original ranges, so expressions keep their spelling.
 * Names (s1, s2, …) and notes are deterministic. Whatever cannot be split safely (window functions, correlated
 * subqueries in the projection, GROUP BY by ordinal or alias) stays in one step.
 */
import { quoteIdent } from './sqlLexer';
import {
  aggregateCalls,
  allRefsDeep,
  columnRefs,
  definedSources,
  fromSources,
  hasWindow,
  isSelect,
  parseSqlite,
  rangeOf,
  subqueries,
  textOf,
  walk,
  type ColumnRef,
  type Edit,
  type Node,
  type Source,
} from './sqlAst';
import { baseNote, branchNote, combineNote, finalNote, groupNote, havingNote, subqueryNote } from './stepNotes';
import type { QueryOutcome, SchemaInfo, Step, Trajectory } from './types';

export class DecomposeError extends Error {}

interface Part {
  sql: string;
  note: string;
}

/**
 * SQLite's reason for refusing `sql`, or null when it compiles: `run` gets `EXPLAIN <sql>`, which SQLite prepares
 * without running the query. The decomposer's parser is more permissive than SQLite (`… ORDER BY x UNION …`,
 * `GROUP BY"a""b"x`), so a query SQLite refuses could otherwise become a chain that runs where the query does not.
 */
export async function sqliteRefusal(sql: string, run: (sql: string) => Promise<QueryOutcome>): Promise<string | null> {
  const o = await run(`EXPLAIN ${sql.trim().replace(/;[\s;]*$/, '')}`);
  return !o.ok && o.kind === 'sql' ? `SQLite cannot run this query: ${o.error}` : null;
}

/** `decomposeSql` for a query SQLite compiles; DecomposeError with SQLite's message for one it refuses. */
export async function decomposeRunnable(sql: string, run: (sql: string) => Promise<QueryOutcome>, schema?: SchemaInfo): Promise<Trajectory> {
  const refusal = await sqliteRefusal(sql, run);
  if (refusal) throw new DecomposeError(refusal);
  return decomposeSql(sql, schema);
}

/** Decomposes one SQLite SELECT into a CoCTE trajectory. Throws DecomposeError when the SQL cannot be parsed. */
export function decomposeSql(sql: string, schema?: SchemaInfo): Trajectory {
  let src = sql.trim().replace(/;[\s;]*$/, '');
  let stmts: Node[];
  try {
    const parsed = parseSqlite(src);
    src = parsed.text;
    stmts = parsed.statements.filter((s) => s.type !== 'empty');
  } catch (e) {
    throw new DecomposeError(`Cannot parse the SQL: ${firstLine(e instanceof Error ? e.message : String(e))}`);
  }
  if (stmts.length !== 1) throw new DecomposeError(`Expected one statement, found ${stmts.length}.`);
  const stmt = stmts[0]!;
  if (!isSelect(stmt)) throw new DecomposeError(`Only SELECT queries can be decomposed (found ${stmt.type.replace(/_/g, ' ')}).`);
  const d = new Decomposer(src, schema);
  const final = d.query(stmt);
  const t: Trajectory = { steps: d.steps, final };
  if (d.recursive) t.recursive = true;
  return t;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

class Decomposer {
  readonly steps: Step[] = [];
  recursive = false;
  private readonly taken = new Set<string>();
  private readonly columns = new Map<string, Set<string>>();
  private counter = 0;

  constructor(private readonly src: string, schema?: SchemaInfo) {
    for (const t of schema?.tables ?? []) {
      this.columns.set(t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase())));
      this.taken.add(t.name.toLowerCase());
    }
    for (const m of src.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) this.taken.add(m[0].toLowerCase());
  }

  /** Decomposes a (compound) SELECT, pushing its inner steps, and returns its last part. */
  query(n: Node): Part {
    return n.type === 'compound_select_stmt' ? this.compound(n) : this.select(n, []);
  }

  private push(part: Part, name = this.fresh()): string {
    this.steps.push({ name, sql: part.sql, note: part.note });
    return name;
  }

  private fresh(): string {
    for (;;) {
      const name = `s${++this.counter}`;
      if (!this.taken.has(name)) return name;
    }
  }

  text(n: Node, edits: Edit[] = []): string {
    return textOf(this.src, n, edits);
  }

  // ---------------------------------------------------------------- compound

  private compound(n: Node): Part {
    const branches: Node[] = [];
    const ops: string[] = [];
    const flatten = (m: Node): void => {
      if (m.type === 'compound_select_stmt') {
        flatten(m.left as Node);
        ops.push(opText(m.operator));
        flatten(m.right as Node);
      } else branches.push(m);
    };
    flatten(n);
    // SQLite applies ORDER BY / LIMIT written after the last branch to the whole compound.
    const last = branches[branches.length - 1]!;
    const tail = ((last.clauses as Node[]) ?? []).filter((c) => c.type === 'order_by_clause' || c.type === 'limit_clause');
    const names = branches.map((b, i) => {
      const part = this.select(b, i === branches.length - 1 ? tail : []);
      return this.push({ sql: part.sql, note: branchNote(ops[Math.max(0, i - 1)] ?? 'UNION', i + 1, part.note) });
    });
    let sql = `SELECT * FROM ${names[0]}`;
    names.slice(1).forEach((name, i) => (sql += `\n${ops[i]}\nSELECT * FROM ${name}`));
    const order = tail.find((c) => c.type === 'order_by_clause');
    const limit = tail.find((c) => c.type === 'limit_clause');
    for (const c of tail) sql += `\n${c === order ? this.compoundOrder(c, branches) : this.text(c)}`;
    return { sql, note: combineNote(ops, order ? this.text(order.specifications as Node) : null, limit ? this.text(limit) : null) };
  }

  /**
   * A compound's ORDER BY over the branch steps. A term written as a result column's expression (`ORDER BY count(*)`)
   * names that column by its position instead: the branch steps name their columns (`count_all`), so the expression
   * would match no column of the combined steps.
   */
  private compoundOrder(order: Node, branches: Node[]): string {
    const norm = (t: string) => t.replace(/\s+/g, '').toLowerCase();
    const columns = branches.map((b) => {
      const items = (((b.clauses as Node[]) ?? []).find((c) => c.type === 'select_clause')?.columns as Node | undefined)?.items as Node[] | undefined;
      return (items ?? []).map((it) => norm(this.text(it.type === 'alias' ? (it.expr as Node) : it)));
    });
    const specs = ((order.specifications as Node).items as Node[]).map((spec) => {
      const expr = spec.type === 'sort_specification' ? (spec.expr as Node) : spec;
      const whole = this.text(spec);
      if (expr.type === 'identifier' || expr.type === 'member_expr' || expr.type === 'number_literal') return whole;
      const e = norm(this.text(expr));
      const k = columns.map((cols) => cols.indexOf(e)).find((i) => i >= 0);
      return k === undefined ? whole : `${k + 1}${whole.slice(this.text(expr).length)}`;
    });
    return `ORDER BY ${specs.join(', ')}`;
  }

  // ---------------------------------------------------------------- simple SELECT

  /** `exclude`: clauses (ORDER BY / LIMIT of a compound's last branch) that belong to the enclosing compound. */
  private select(n: Node, exclude: Node[]): Part {
    const clauses = ((n.clauses as Node[]) ?? []).filter((c) => !exclude.includes(c));
    const get = (t: string) => clauses.find((c) => c.type === t);
    const withClause = get('with_clause');
    if (withClause) this.liftWith(withClause);
    const selectClause = get('select_clause');
    const from = get('from_clause');
    const where = get('where_clause');
    const groupBy = get('group_by_clause');
    const having = get('having_clause');
    const orderBy = get('order_by_clause');
    const limit = get('limit_clause');
    const body = clauses.filter((c) => c !== withClause);
    const edits = this.liftSubqueries(body);
    const whole = (): Part => ({
      sql: body.map((c) => this.text(c, edits)).join(' '),
      note: finalNote(selectClause ? this.text(selectClause.columns as Node) : '', {
        distinct: isDistinct(selectClause),
        order: orderBy ? this.text(orderBy.specifications as Node) : null,
        limit: limit ? this.text(limit) : null,
        aggregate: false,
      }),
    });
    if (!selectClause || !from) return whole();
    if (get('window_clause') || hasWindow(selectClause) || (orderBy && hasWindow(orderBy))) return whole();

    const sources = fromSources(from.expr as Node);
    const items = ((selectClause.columns as Node).items as Node[]) ?? [];
    const aliases = new Set(items.filter((i) => i.type === 'alias').map((i) => identName(i.alias as Node).toLowerCase()));
    const lateClauses = [selectClause, groupBy, having, orderBy].filter((c): c is Node => !!c);
    // A correlated subquery left in a late clause would need its outer references rewritten: keep one step.
    if (lateClauses.some((c) => subqueries(c).some((s) => !edits.some((e) => e.start === rangeOf(s)[0])))) return whole();
    const groupItems = groupBy ? (((groupBy.columns as Node).items as Node[]) ?? []).map(unwrapParens) : [];
    if (groupItems.some((g) => g.type !== 'identifier' && g.type !== 'member_expr')) return whole();
    // GROUP BY a select-list alias (even one that is also a column: later clauses read such a name as the alias).
    if (groupItems.some((g) => g.type === 'identifier' && aliases.has(identName(g).toLowerCase()))) return whole();

    const refs = this.lateRefs(lateClauses, aliases, sources, selectClause);
    // A GROUP BY term that is no column reference here (`GROUP BY "unit price"` naming no column is a string).
    if (groupItems.some((g) => !refs.some((r) => r.node === g))) return whole();
    const needBase = sources.length > 1 || !!where;
    const star = refs.some((r) => r.star);
    if (star && (!needBase || refs.some((r) => r.star && r.qualifier !== null))) return whole();
    // After `SELECT *` over a join, T2.x read from the step is just x: wrong when another source has an x too.
    if (star && sources.length > 1 && refs.some((r) => !r.star && r.qualifier !== null && this.inSeveral(r.column, sources))) return whole();
    const hasAggregates = lateClauses.some((c) => aggregateCalls(c).length > 0);
    if (!needBase && !groupBy) return whole();

    // Step: joins + filters, projecting what later clauses need under unique names.
    const out = this.outputNames(refs.filter((r) => !r.star), sources);
    let sourceText: string;
    let refText: (r: ColumnRef) => string;
    if (needBase) {
      const projection = star ? '*' : this.projection(refs, out);
      const whereText = where ? this.text(where.expr as Node, edits) : null;
      const sql = `SELECT ${projection}\nFROM ${this.text(from.expr as Node, edits)}${whereText !== null ? `\nWHERE ${whereText}` : ''}`;
      const tables = sources.map((s) => s.table ?? s.alias).filter((s) => s !== '');
      sourceText = this.push({ sql, note: baseNote(uniq(tables), where ? this.text(where.expr as Node) : null) });
      refText = (r) => quoteIdent(star ? r.column : out.get(refKey(r))!);
    } else {
      sourceText = this.text(from.expr as Node, edits);
      refText = (r) => this.text(r.node);
    }
    const refEdits = (r: ColumnRef[]): Edit[] => r.filter((x) => !x.star).map((x) => ({ start: rangeOf(x.node)[0], end: rangeOf(x.node)[1], text: refText(x) }));
    const allRefEdits = refEdits(refs);
    const order = orderBy ? `\n${this.text(orderBy, [...edits, ...allRefEdits])}` : '';
    const lim = limit ? `\n${this.text(limit, edits)}` : '';
    const mods = selectModifiers(this, selectClause);
    const noteOpts = {
      distinct: isDistinct(selectClause),
      order: orderBy ? this.text(orderBy.specifications as Node) : null,
      limit: limit ? this.text(limit) : null,
      aggregate: hasAggregates && !groupBy,
    };
    const originalColumns = this.text(selectClause.columns as Node);

    if (!groupBy) {
      const havingText = having ? `\n${this.text(having, [...edits, ...allRefEdits])}` : '';
      const sql = `SELECT ${mods}${this.text(selectClause.columns as Node, [...edits, ...allRefEdits])}\nFROM ${sourceText}${havingText}${order}${lim}`;
      return { sql, note: finalNote(originalColumns, noteOpts) };
    }

    // Step: aggregation. Keys, bare columns, and each distinct aggregate under an alias.
    const aggNodes = lateClauses.filter((c) => c !== groupBy).flatMap((c) => aggregateCalls(c));
    const aggAlias = new Map<string, string>();
    const aggItems: string[] = [];
    const aggNames: string[] = [];
    const usedNames = new Set<string>([...out.values()].map((v) => v.toLowerCase()));
    if (!needBase) for (const r of refs) usedNames.add(r.column.toLowerCase());
    for (const a of aggNodes) {
      const key = normalized(this.text(a));
      if (aggAlias.has(key)) continue;
      const alias = uniqueName(aggregateAlias(a), usedNames);
      aggAlias.set(key, alias);
      const inner = refs.filter((r) => within(r.node, a));
      aggItems.push(`${this.text(a, refEdits(inner))} AS ${quoteIdent(alias)}`);
      aggNames.push(this.text(a));
    }
    const outside = refs.filter((r) => !aggNodes.some((a) => within(r.node, a)));
    const keyItems = uniqBy([...groupItems.map((g) => refs.find((r) => r.node === g)!), ...outside], refKey).map((r) =>
      needBase ? refText(r) : this.text(r.node),
    );
    const groupText = this.text(groupBy.columns as Node, refEdits(refs.filter((r) => within(r.node, groupBy))));

    // Downstream of the aggregation: aggregates become their alias, columns their output name.
    const downName = (r: ColumnRef): string => (needBase ? refText(r) : quoteIdent(r.column));
    const down: Edit[] = [
      ...aggNodes.map((a) => ({ start: rangeOf(a)[0], end: rangeOf(a)[1], text: quoteIdent(aggAlias.get(normalized(this.text(a)))!) })),
      ...outside.filter((r) => !r.star).map((r) => ({ start: rangeOf(r.node)[0], end: rangeOf(r.node)[1], text: downName(r) })),
    ];
    // Ordering by an aggregate also sorts inside the aggregation step: SQLite breaks ties there the way the
    // original query does, and the final ORDER BY (a stable sort) keeps that order.
    const orderAliases = orderBy ? columnRefs(orderBy).some((r) => r.qualifier === null && aliases.has(r.column.toLowerCase())) : false;
    const sortInGroup = !!orderBy && aggregateCalls(orderBy).length > 0 && !orderAliases;
    const groupOrder = sortInGroup ? `\n${this.text(orderBy!, [...edits, ...down])}` : '';
    const aggSql = `SELECT ${uniq([...keyItems, ...aggItems]).join(', ')}\nFROM ${sourceText}\nGROUP BY ${groupText}${groupOrder}`;
    const aggNote = groupNote(this.text(groupBy.columns as Node), aggNames) + (sortInGroup ? `, sorted by ${this.text(orderBy!.specifications as Node)}` : '');
    let current = this.push({ sql: aggSql, note: aggNote });
    if (having) {
      const sql = `SELECT *\nFROM ${current}\nWHERE ${this.text(having.expr as Node, [...edits, ...down])}`;
      current = this.push({ sql, note: havingNote(this.text(having.expr as Node)) });
    }
    const finalOrder = orderBy ? `\n${this.text(orderBy, [...edits, ...down])}` : '';
    const sql = `SELECT ${mods}${this.text(selectClause.columns as Node, [...edits, ...down])}\nFROM ${current}${finalOrder}${lim}`;
    return { sql, note: finalNote(originalColumns, noteOpts) };
  }

  /** Turns the query's own WITH clause into steps under their own names. */
  private liftWith(w: Node): void {
    if (w.recursiveKw) this.recursive = true;
    for (const cte of ((w.tables as Node).items as Node[]) ?? []) {
      const name = this.text(cte.table as Node);
      this.taken.add(name.toLowerCase());
      const body = (cte.expr as Node).expr as Node;
      const part = this.recursive ? { sql: this.text(body), note: `Define ${name}` } : this.query(body);
      const step: Step = { name, sql: part.sql, note: part.note };
      if (cte.columns) step.columns = this.text(cte.columns as Node).replace(/^\(|\)$/g, '');
      this.steps.push(step);
    }
  }

  /** Lifts every uncorrelated subquery of these clauses into its own step(s); returns the edits that replace them. */
  private liftSubqueries(clauses: Node[]): Edit[] {
    const edits: Edit[] = [];
    for (const c of clauses) {
      const inFrom = c.type === 'from_clause';
      const subs: Node[] = [];
      walk(c, (m) => {
        if (m.type === 'paren_expr' && isSelect(m.expr as Node)) {
          subs.push(m);
          return false;
        }
        return true;
      });
      for (const s of subs) {
        if (this.correlated(s)) continue;
        const part = this.query(s.expr as Node);
        const name = this.push({ sql: part.sql, note: subqueryNote(part.note) });
        const derived = inFrom && !isInJoinCondition(c, s);
        const [start, end] = rangeOf(s);
        edits.push({ start, end, text: derived ? name : `(SELECT * FROM ${name})` });
      }
    }
    return edits;
  }

  /** True when a subquery refers to a table or column of an enclosing query. */
  private correlated(sub: Node): boolean {
    const own = definedSources(sub);
    const refs = allRefsDeep(sub.expr as Node);
    if (refs.some((r) => r.qualifier !== null && !own.has(r.qualifier.toLowerCase()))) return true;
    if (this.columns.size === 0) return false;
    const ownColumns = new Set<string>();
    for (const t of own) for (const c of this.columns.get(t) ?? []) ownColumns.add(c);
    const derived = [...own].some((t) => !this.columns.has(t));
    if (derived) return false;
    return refs.some((r) => r.qualifier === null && !r.doubleQuoted && !ownColumns.has(r.column.toLowerCase()) && this.isAnyColumn(r.column));
  }

  private isAnyColumn(col: string): boolean {
    const c = col.toLowerCase();
    for (const set of this.columns.values()) if (set.has(c)) return true;
    return false;
  }

  /** Whether `col` may be a column of more than one of the sources (a source of unknown columns may have any). */
  private inSeveral(col: string, sources: Source[]): boolean {
    const c = col.toLowerCase();
    return (
      sources.filter((s) => {
        const set = s.table ? this.columns.get(s.table.toLowerCase()) : undefined;
        return !set || set.has(c);
      }).length > 1
    );
  }

  /** Whether `col` is a column of one of the sources (unknown sources count as yes). */
  private isColumn(col: string, sources: Source[]): boolean {
    if (this.columns.size === 0) return true;
    const c = col.toLowerCase();
    return sources.some((s) => {
      const set = s.table ? this.columns.get(s.table.toLowerCase()) : undefined;
      return !set || set.has(c);
    });
  }

  /** Column references in the late clauses that the base step must provide. */
  private lateRefs(clauses: Node[], aliases: Set<string>, sources: Source[], selectClause: Node): ColumnRef[] {
    const out: ColumnRef[] = [];
    for (const c of clauses) {
      const expr = c === selectClause ? (c.columns as Node) : c;
      for (const r of columnRefs(expr)) {
        if (r.qualifier === null && c !== selectClause && aliases.has(r.column.toLowerCase()) && !this.isColumn(r.column, sources)) continue;
        if (r.qualifier === null && r.doubleQuoted && !this.isColumn(r.column, sources)) continue;
        if (r.qualifier === null && c !== selectClause && aliases.has(r.column.toLowerCase())) continue;
        out.push(r);
      }
    }
    const star = (((selectClause.columns as Node).items as Node[]) ?? []).filter((i) => i.type === 'all_columns');
    for (const s of star) out.push({ node: s, qualifier: null, column: '*', star: true, doubleQuoted: false });
    return out;
  }

  /** Unique output names for the base step's columns: the column name, or table_column when two would clash. */
  private outputNames(refs: ColumnRef[], sources: Source[]): Map<string, string> {
    const byKey = uniqBy(refs, refKey);
    const byColumn = new Map<string, ColumnRef[]>();
    for (const r of byKey) byColumn.set(r.column.toLowerCase(), [...(byColumn.get(r.column.toLowerCase()) ?? []), r]);
    const used = new Set<string>();
    const out = new Map<string, string>();
    for (const r of byKey) {
      const clash = byColumn.get(r.column.toLowerCase())!.length > 1;
      let base = r.column;
      if (clash && r.qualifier !== null) {
        const src = sources.find((s) => s.alias.toLowerCase() === r.qualifier!.toLowerCase());
        const sameTable = src?.table ? sources.filter((s) => s.table?.toLowerCase() === src.table!.toLowerCase()).length > 1 : true;
        base = `${sameTable || !src?.table ? r.qualifier : src.table}_${r.column}`;
      }
      out.set(refKey(r), uniqueName(base, used));
    }
    return out;
  }

  private projection(refs: ColumnRef[], out: Map<string, string>): string {
    const items = uniqBy(
      refs.filter((r) => !r.star),
      refKey,
    ).map((r) => {
      const name = out.get(refKey(r))!;
      const text = this.text(r.node);
      return name.toLowerCase() === r.column.toLowerCase() && !r.doubleQuoted ? text : `${text} AS ${quoteIdent(name)}`;
    });
    return items.length ? items.join(', ') : '*';
  }
}

function selectModifiers(d: Decomposer, select: Node): string {
  const mods = (select.modifiers as Node[]) ?? [];
  return mods.length ? mods.map((m) => d.text(m)).join(' ') + ' ' : '';
}

function unwrapParens(n: Node): Node {
  while (n.type === 'paren_expr' && !isSelect(n.expr as Node) && (n.expr as Node).type !== 'list_expr') n = n.expr as Node;
  return n;
}

function isDistinct(select: Node | undefined): boolean {
  return !!select && ((select.modifiers as Node[]) ?? []).some((m) => m.type === 'select_distinct');
}

function opText(op: unknown): string {
  const list = Array.isArray(op) ? (op as Node[]) : [op as Node];
  return list.map((k) => String(k.name ?? k.text).toUpperCase()).join(' ');
}

function identName(n: Node): string {
  return String(n.name ?? n.text ?? '');
}

function refKey(r: ColumnRef): string {
  return `${(r.qualifier ?? '').toLowerCase()}.${r.column.toLowerCase()}`;
}

function within(inner: Node, outer: Node): boolean {
  const [a, b] = rangeOf(inner);
  const [c, d] = rangeOf(outer);
  return a >= c && b <= d;
}

function isInJoinCondition(from: Node, sub: Node): boolean {
  let inCond = false;
  walk(from, (m) => {
    if (m.type === 'join_on_specification' && within(sub, m)) inCond = true;
    return !inCond;
  });
  return inCond;
}

function normalized(s: string): string {
  return s.replace(/\s+/g, '').toLowerCase();
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function uniqBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}_${i}`;
  used.add(name.toLowerCase());
  return name;
}

/** count(*) -> count_all, avg(T1.age) -> avg_age, count(DISTINCT x) -> count_distinct_x. */
function aggregateAlias(a: Node): string {
  const f = identName(a.name as Node).toLowerCase();
  const fargs = (a.args as Node).expr as Node;
  const items = ((fargs.args as Node | undefined)?.items as Node[]) ?? [];
  const distinct = fargs.distinctKw ? 'distinct_' : '';
  const first = items[0];
  let arg = 'value';
  if (!first || first.type === 'all_columns') arg = 'all';
  else if (first.type === 'identifier') arg = identName(first);
  else if (first.type === 'member_expr' && (first.property as Node).type === 'identifier') arg = identName(first.property as Node);
  const raw = `${f}_${distinct}${arg}`.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(raw) ? raw : `a_${raw}`;
}
