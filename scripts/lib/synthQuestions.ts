/**
 * Template-generated (question, SQL) pairs over a training database, as augmentation for the policy's data.
 *
 * Spider's training questions mention only a fraction of each database's columns, so a small model learns which
 * names the training questions use rather than how a question's words map to whatever schema its prompt shows.
 * These templates cover every simple-identifier table and column: the question spells the names in words
 * (`Num_Employees` -> "num employees"), and the SQL uses them, in the Spider patterns a small model must get right
 * first (count, projection, filters on real values, aggregates, superlatives, grouping, HAVING, joins along foreign
 * keys, NOT IN, INTERSECT / EXCEPT). Values come from the database, so every filter matches real rows.
 * Never run on dev databases: make-data only passes training databases.
 */
import { sqlName } from '../../src/core/sqlcheck/catalog';
import type { SchemaInfo, SqlValue, TableInfo } from '../../src/core/types';
import type { SqlJsEngine } from '../../src/workers/sqljsEngine';
import type { SpiderExample } from './spider';

export interface SynthDb {
  dbId: string;
  tables: TableInfo[];
  /** Runs a read-only query and returns its rows (empty on error). */
  rows(sql: string): SqlValue[][];
}

/** The SynthDb of an open database: its tables, and its rows through `engine` (at most 1,000 per query). */
export function synthDbOf(dbId: string, entry: { engine: SqlJsEngine; schema: SchemaInfo }): SynthDb {
  return { dbId, tables: entry.schema.tables, rows: (q) => { const r = entry.engine.query(q, 1000); return r.ok ? r.result.rows : []; } };
}

type Rand = () => number;
type Col = { table: TableInfo; name: string; numeric: boolean; key: boolean };
type Made = { question: string; query: string } | null;

/**
 * Names a question can say in words: letters, digits, underscores and spaces (`Velor_Kasti`, `unit price`, a column
 * called `order`). The SQL writes each one as SQLite needs it (`sqlName`: `"unit price"`, `"order"`).
 */
const SAYABLE = /^[\p{L}_][\p{L}\p{N}_ ]{0,63}$/u;
const q = sqlName;
const NUMERIC = /int|real|num|float|double|dec|money/i;

/** `Num_Employees` -> `num employees`, `StuID` -> `stu id`. */
export function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
}

export function plural(noun: string): string {
  if (/[^s]s$/.test(noun)) return noun;
  if (/(s|x|ch|sh)$/.test(noun)) return noun + 'es';
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + 'ies';
  return noun + 's';
}

/** Table names are often plural already (`Students`): the singular for "each student". */
export function singular(noun: string): string {
  if (/ies$/.test(noun)) return noun.slice(0, -3) + 'y';
  if (/[^su]s$/.test(noun)) return noun.slice(0, -1);
  return noun;
}

const pick = <T>(xs: readonly T[], rand: Rand): T => xs[Math.floor(rand() * xs.length)]!;

function literal(v: SqlValue): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'string') return v.length > 0 && v.length <= 40 && !/[\n']/.test(v) ? `'${v}'` : null;
  return null;
}

function spoken(v: SqlValue): string {
  return typeof v === 'string' ? v : String(v);
}

export class SynthGenerator {
  private readonly tables: TableInfo[];
  private readonly valueCache = new Map<string, SqlValue[]>();

  constructor(private readonly db: SynthDb, private readonly rand: Rand) {
    this.tables = db.tables.filter((t) => t.kind === 'table' && SAYABLE.test(t.name) && t.rowCount > 0 && t.columns.some((c) => SAYABLE.test(c.name)));
  }

  private cols(t: TableInfo): Col[] {
    const fkCols = new Set(t.foreignKeys.map((f) => f.from.toLowerCase()));
    return t.columns
      .filter((c) => SAYABLE.test(c.name))
      .map((c) => ({ table: t, name: c.name, numeric: NUMERIC.test(c.type), key: c.pk > 0 || fkCols.has(c.name.toLowerCase()) || /(^|_)id$/i.test(c.name) }));
  }

  private values(c: Col): SqlValue[] {
    const key = `${q(c.table.name)}.${q(c.name)}`;
    let v = this.valueCache.get(key);
    if (!v) {
      v = this.db.rows(`SELECT DISTINCT "${c.name}" FROM "${c.table.name}" WHERE "${c.name}" IS NOT NULL LIMIT 30`).map((r) => r[0]!);
      this.valueCache.set(key, v);
    }
    return v;
  }

  private value(c: Col): SqlValue | null {
    const vs = this.values(c).filter((v) => literal(v) !== null);
    return vs.length ? pick(vs, this.rand) : null;
  }

  private attr(t: TableInfo, want?: (c: Col) => boolean): Col | null {
    const cs = this.cols(t).filter((c) => !c.key && (!want || want(c)));
    return cs.length ? pick(cs, this.rand) : null;
  }

  private twoAttrs(t: TableInfo): [Col, Col] | null {
    const cs = this.cols(t).filter((c) => !c.key);
    if (cs.length < 2) return null;
    const a = pick(cs, this.rand);
    const b = pick(cs.filter((c) => c !== a), this.rand);
    return [a, b];
  }

  /** A foreign key whose both ends are usable: child table, its column, parent table, parent column. */
  private fk(): { child: TableInfo; from: string; parent: TableInfo; to: string } | null {
    const edges = this.tables.flatMap((child) =>
      child.foreignKeys
        .map((f) => ({ child, from: f.from, parent: this.tables.find((p) => p.name.toLowerCase() === f.table.toLowerCase()), to: f.to }))
        .filter((e): e is { child: TableInfo; from: string; parent: TableInfo; to: string } => !!e.parent && e.parent !== child && SAYABLE.test(e.from) && SAYABLE.test(e.to)),
    );
    return edges.length ? pick(edges, this.rand) : null;
  }

  private readonly templates: Array<() => Made> = [
    // How many rows.
    () => {
      const t = pick(this.tables, this.rand);
      const n = plural(words(t.name));
      return { question: pick([`How many ${n} are there?`, `Count the number of ${n}.`, `What is the total number of ${n}?`], this.rand), query: `SELECT count(*) FROM ${q(t.name)}` };
    },
    // Projection of one or two columns.
    () => {
      const t = pick(this.tables, this.rand);
      const two = this.rand() < 0.5 ? this.twoAttrs(t) : null;
      const a = two ? two[0] : this.attr(t);
      if (!a) return null;
      const n = plural(words(t.name));
      if (two) {
        const [x, y] = two;
        return { question: pick([`List the ${words(x.name)} and ${words(y.name)} of all ${n}.`, `What are the ${words(x.name)} and ${words(y.name)} of each ${singular(words(t.name))}?`], this.rand), query: `SELECT ${q(x.name)} , ${q(y.name)} FROM ${q(t.name)}` };
      }
      return { question: pick([`List the ${words(a.name)} of all ${n}.`, `What are the ${words(a.name)}s of the ${n}?`, `Show all ${words(a.name)} values of ${n}.`], this.rand), query: `SELECT ${q(a.name)} FROM ${q(t.name)}` };
    },
    // Distinct values.
    () => {
      const t = pick(this.tables, this.rand);
      const a = this.attr(t, (c) => !c.numeric);
      if (!a) return null;
      return this.rand() < 0.5
        ? { question: `What are the distinct ${words(a.name)} of ${plural(words(t.name))}?`, query: `SELECT DISTINCT ${q(a.name)} FROM ${q(t.name)}` }
        : { question: `How many different ${words(a.name)} values do ${plural(words(t.name))} have?`, query: `SELECT count(DISTINCT ${q(a.name)}) FROM ${q(t.name)}` };
    },
    // Equality filter on a real value.
    () => {
      const t = pick(this.tables, this.rand);
      const pair = this.twoAttrs(t);
      if (!pair) return null;
      const [out, by] = pair;
      const v = this.value(by);
      if (v === null) return null;
      const n = plural(words(t.name));
      return { question: pick([`What is the ${words(out.name)} of the ${singular(words(t.name))} whose ${words(by.name)} is ${spoken(v)}?`, `Show the ${words(out.name)} of ${n} with ${words(by.name)} ${spoken(v)}.`, `Find the ${words(out.name)} of ${n} that have ${spoken(v)} as ${words(by.name)}.`], this.rand), query: `SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v)}` };
    },
    // Count with a filter.
    () => {
      const t = pick(this.tables, this.rand);
      const by = this.attr(t);
      const v = by && this.value(by);
      if (!by || v === null || v === undefined) return null;
      if (by.numeric && typeof v === 'number') {
        const [op, w] = pick([['>', 'greater than'], ['<', 'less than'], ['>=', 'at least']] as const, this.rand);
        return { question: `How many ${plural(words(t.name))} have a ${words(by.name)} ${w} ${v}?`, query: `SELECT count(*) FROM ${q(t.name)} WHERE ${q(by.name)} ${op} ${v}` };
      }
      return { question: `How many ${plural(words(t.name))} have ${words(by.name)} ${spoken(v)}?`, query: `SELECT count(*) FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v)}` };
    },
    // Numeric comparison filter, projection.
    () => {
      const t = pick(this.tables, this.rand);
      const by = this.attr(t, (c) => c.numeric);
      const out = this.attr(t, (c) => c !== by);
      const v = by && this.value(by);
      if (!by || !out || typeof v !== 'number') return null;
      const [op, w] = pick([['>', 'more than'], ['<', 'less than'], ['>', 'above'], ['<=', 'at most']] as const, this.rand);
      return { question: `Which ${plural(words(t.name))} have ${words(by.name)} ${w} ${v}? Give their ${words(out.name)}.`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} ${op} ${v}` };
    },
    // Aggregates.
    () => {
      const t = pick(this.tables, this.rand);
      const a = this.attr(t, (c) => c.numeric);
      if (!a) return null;
      const [fn, w] = pick([['avg', 'average'], ['max', 'maximum'], ['min', 'minimum'], ['sum', 'total']] as const, this.rand);
      if (this.rand() < 0.3) return { question: `What are the average, minimum and maximum ${words(a.name)} of all ${plural(words(t.name))}?`, query: `SELECT avg(${q(a.name)}) , min(${q(a.name)}) , max(${q(a.name)}) FROM ${q(t.name)}` };
      return { question: pick([`What is the ${w} ${words(a.name)} of all ${plural(words(t.name))}?`, `Find the ${w} ${words(a.name)} among ${plural(words(t.name))}.`], this.rand), query: `SELECT ${fn}(${q(a.name)}) FROM ${q(t.name)}` };
    },
    // Superlative: ORDER BY ... LIMIT 1.
    () => {
      const t = pick(this.tables, this.rand);
      const by = this.attr(t, (c) => c.numeric);
      const out = this.attr(t, (c) => c !== by);
      if (!by || !out) return null;
      const desc = this.rand() < 0.6;
      return { question: `What is the ${words(out.name)} of the ${singular(words(t.name))} with the ${desc ? 'highest' : 'lowest'} ${words(by.name)}?`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} ORDER BY ${q(by.name)} ${desc ? 'DESC' : 'ASC'} LIMIT 1` };
    },
    // Sorted listing.
    () => {
      const t = pick(this.tables, this.rand);
      const pair = this.twoAttrs(t);
      if (!pair) return null;
      const [out, by] = pair;
      const desc = this.rand() < 0.5;
      return { question: `List the ${words(out.name)} of all ${plural(words(t.name))} ordered by ${words(by.name)}${desc ? ' in descending order' : ''}.`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} ORDER BY ${q(by.name)}${desc ? ' DESC' : ''}` };
    },
    // Grouping with count.
    () => {
      const t = pick(this.tables, this.rand);
      const g = this.attr(t, (c) => !c.numeric);
      if (!g) return null;
      return { question: pick([`For each ${words(g.name)}, how many ${plural(words(t.name))} are there?`, `Show each ${words(g.name)} and the number of ${plural(words(t.name))} with it.`], this.rand), query: `SELECT ${q(g.name)} , count(*) FROM ${q(t.name)} GROUP BY ${q(g.name)}` };
    },
    // Most common value.
    () => {
      const t = pick(this.tables, this.rand);
      const g = this.attr(t, (c) => !c.numeric);
      if (!g) return null;
      return { question: `Which ${words(g.name)} is the most common among ${plural(words(t.name))}?`, query: `SELECT ${q(g.name)} FROM ${q(t.name)} GROUP BY ${q(g.name)} ORDER BY count(*) DESC LIMIT 1` };
    },
    // HAVING.
    () => {
      const t = pick(this.tables, this.rand);
      const g = this.attr(t, (c) => !c.numeric);
      if (!g) return null;
      const k = pick([2, 3], this.rand);
      return { question: `Which ${words(g.name)} values are shared by at least ${k} ${plural(words(t.name))}?`, query: `SELECT ${q(g.name)} FROM ${q(t.name)} GROUP BY ${q(g.name)} HAVING count(*) >= ${k}` };
    },
    // Group average.
    () => {
      const t = pick(this.tables, this.rand);
      const g = this.attr(t, (c) => !c.numeric);
      const a = this.attr(t, (c) => c.numeric);
      if (!g || !a) return null;
      return { question: `What is the average ${words(a.name)} of ${plural(words(t.name))} for each ${words(g.name)}?`, query: `SELECT ${q(g.name)} , avg(${q(a.name)}) FROM ${q(t.name)} GROUP BY ${q(g.name)}` };
    },
    // Join along a foreign key.
    () => {
      const e = this.fk();
      if (!e) return null;
      const a = this.attr(e.child);
      const b = this.attr(e.parent);
      if (!a || !b) return null;
      return { question: `Show the ${words(a.name)} of each ${singular(words(e.child.name))} and the ${words(b.name)} of its ${singular(words(e.parent.name))}.`, query: `SELECT T1.${q(a.name)} , T2.${q(b.name)} FROM ${q(e.child.name)} AS T1 JOIN ${q(e.parent.name)} AS T2 ON T1.${q(e.from)} = T2.${q(e.to)}` };
    },
    // Join with a filter on the parent.
    () => {
      const e = this.fk();
      if (!e) return null;
      const a = this.attr(e.child);
      const b = this.attr(e.parent);
      const v = b && this.value(b);
      if (!a || !b || v === null || v === undefined) return null;
      return { question: `What are the ${words(a.name)} of ${plural(words(e.child.name))} whose ${singular(words(e.parent.name))} has ${words(b.name)} ${spoken(v)}?`, query: `SELECT T1.${q(a.name)} FROM ${q(e.child.name)} AS T1 JOIN ${q(e.parent.name)} AS T2 ON T1.${q(e.from)} = T2.${q(e.to)} WHERE T2.${q(b.name)} = ${literal(v)}` };
    },
    // Count per parent through a join.
    () => {
      const e = this.fk();
      if (!e) return null;
      const b = this.attr(e.parent);
      if (!b) return null;
      return { question: `For each ${singular(words(e.parent.name))}, show its ${words(b.name)} and the number of ${plural(words(e.child.name))}.`, query: `SELECT T2.${q(b.name)} , count(*) FROM ${q(e.child.name)} AS T1 JOIN ${q(e.parent.name)} AS T2 ON T1.${q(e.from)} = T2.${q(e.to)} GROUP BY T1.${q(e.from)}` };
    },
    // Parent with the most children.
    () => {
      const e = this.fk();
      if (!e) return null;
      const b = this.attr(e.parent);
      if (!b) return null;
      return { question: `Which ${singular(words(e.parent.name))} has the most ${plural(words(e.child.name))}? Give its ${words(b.name)}.`, query: `SELECT T2.${q(b.name)} FROM ${q(e.child.name)} AS T1 JOIN ${q(e.parent.name)} AS T2 ON T1.${q(e.from)} = T2.${q(e.to)} GROUP BY T1.${q(e.from)} ORDER BY count(*) DESC LIMIT 1` };
    },
    // Parents without children: NOT IN.
    () => {
      const e = this.fk();
      if (!e) return null;
      const b = this.attr(e.parent);
      if (!b) return null;
      return { question: `Find the ${words(b.name)} of ${plural(words(e.parent.name))} that have no ${plural(words(e.child.name))}.`, query: `SELECT ${q(b.name)} FROM ${q(e.parent.name)} WHERE ${q(e.to)} NOT IN (SELECT ${q(e.from)} FROM ${q(e.child.name)})` };
    },
    // Two conditions: INTERSECT / EXCEPT / OR.
    () => {
      const t = pick(this.tables, this.rand);
      const by = this.attr(t, (c) => !c.numeric);
      const out = this.attr(t, (c) => c !== by);
      if (!by || !out) return null;
      const vs = this.values(by).filter((v) => literal(v) !== null);
      if (vs.length < 2) return null;
      const v1 = pick(vs, this.rand);
      const v2 = pick(vs.filter((v) => v !== v1), this.rand);
      const n = plural(words(t.name));
      const kind = pick(['or', 'except', 'intersect'] as const, this.rand);
      if (kind === 'or') return { question: `Show the ${words(out.name)} of ${n} whose ${words(by.name)} is ${spoken(v1)} or ${spoken(v2)}.`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v1)} OR ${q(by.name)} = ${literal(v2)}` };
      if (kind === 'except') return { question: `Which ${words(out.name)} values appear among ${n} but never with ${words(by.name)} ${spoken(v1)}?`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} EXCEPT SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v1)}` };
      return { question: `Which ${words(out.name)} values have ${n} with ${words(by.name)} ${spoken(v1)} and also ${n} with ${words(by.name)} ${spoken(v2)}?`, query: `SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v1)} INTERSECT SELECT ${q(out.name)} FROM ${q(t.name)} WHERE ${q(by.name)} = ${literal(v2)}` };
    },
  ];

  /** Up to `n` distinct examples (fewer when the database has too little to ask about). */
  generate(n: number): SpiderExample[] {
    return this.tables.length === 0 ? [] : distinctExamples(this.db.dbId, this.templates, this.rand, n, 6);
  }
}

/** Up to `n` examples from randomly picked templates, distinct by query, in at most `n * triesPer` tries. */
export function distinctExamples(dbId: string, templates: ReadonlyArray<() => { question: string; query: string } | null>, rand: Rand, n: number, triesPer: number): SpiderExample[] {
  const out: SpiderExample[] = [];
  const seen = new Set<string>();
  for (let tries = 0; out.length < n && tries < n * triesPer; tries++) {
    const made = pick(templates, rand)();
    if (!made || seen.has(made.query)) continue;
    seen.add(made.query);
    out.push({ db_id: dbId, question: made.question, query: made.query });
  }
  return out;
}
