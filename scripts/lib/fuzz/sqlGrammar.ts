/**
 * Grammar-generated SELECTs over one schema: random joins (on foreign keys, or on any two columns), filters, grouping,
 * HAVING, ordering, LIMIT, subqueries (IN, scalar, EXISTS, FROM), CTEs and set operations, with names written as
 * SQLite must read them (catalog.ts sqlName). Most are valid SQL, so they test what the decomposer and the checker
 * do with queries a person could write, not only with broken text.
 */
import { sqlName } from '../../../src/core/sqlcheck/catalog';
import type { SchemaInfo, SqlValue, TableInfo } from '../../../src/core/types';
import type { Rng } from './common';

const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'total'];
const SCALARS = ['lower', 'upper', 'length', 'abs', 'typeof', 'trim'];
const CMP = ['=', '!=', '<>', '<', '<=', '>', '>='];

interface Src {
  table: TableInfo;
  /** How the query refers to it: its alias, or its quoted name. */
  ref: string;
  /** The FROM item: `"Order Items" AS T1` or the name alone. */
  text: string;
}

export class SqlGrammar {
  private readonly tables: TableInfo[];

  constructor(
    schema: SchemaInfo,
    private readonly rng: Rng,
  ) {
    this.tables = schema.tables.filter((t) => t.columns.length > 0);
  }

  /** One statement: a SELECT, or a compound, CTE or nested form of generated SELECTs. */
  statement(): string {
    if (this.tables.length === 0) return 'SELECT 1';
    const r = this.rng;
    const form = r.int(10);
    if (form === 0) return `${this.core(1, 0)} ${r.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT'])} ${this.core(1, 0)}`;
    if (form === 1) return `WITH ${this.cte('c1')} SELECT * FROM c1${r.chance(0.5) ? ` WHERE ${this.cteFilter()}` : ''}`;
    if (form === 2) return `SELECT count(*) FROM (${this.core(0, 1)}) AS sub`;
    return this.core(0, 2);
  }

  private cte(name: string): string {
    return `${name} AS (${this.core(0, 1)})`;
  }

  private cteFilter(): string {
    return this.rng.pick(['1 = 1', 'rowid > 0', '1 IN (1, 2)', 'NOT 0']);
  }

  /**
   * A SELECT. `cols` > 0 fixes the number of output columns (for a set operation's branches); `depth` bounds nested
   * subqueries.
   */
  core(cols: number, depth: number): string {
    const r = this.rng;
    const srcs = this.sources();
    const multi = srcs.length > 1;
    const col = (s: Src = r.pick(srcs)) => {
      const c = r.pick(s.table.columns);
      return { s, c, text: multi || r.chance(0.2) ? `${s.ref}.${sqlName(c.name)}` : sqlName(c.name) };
    };
    const grouped = cols === 0 && r.chance(0.35);
    const keys = grouped ? Array.from({ length: r.range(1, 2) }, () => col().text) : [];
    const items: string[] = [];
    const n = cols > 0 ? cols : r.range(1, 4);
    for (let i = 0; i < n; i++) items.push(this.item(col, grouped, keys, i));
    let sql = `SELECT ${r.chance(0.15) ? 'DISTINCT ' : ''}${items.join(', ')} FROM ${this.from(srcs)}`;
    if (r.chance(0.6)) sql += ` WHERE ${this.predicate(col, depth)}`;
    if (grouped) {
      sql += ` GROUP BY ${[...new Set(keys)].join(', ')}`;
      if (r.chance(0.4)) sql += ` HAVING ${r.pick(AGGS.slice(0, 1))}(*) ${r.pick(CMP)} ${r.range(0, 3)}`;
    }
    if (cols === 0 && r.chance(0.45)) sql += ` ORDER BY ${r.chance(0.3) ? r.range(1, n) : grouped ? `count(*)` : col().text} ${r.pick(['ASC', 'DESC', ''])}`.trimEnd();
    if (cols === 0 && r.chance(0.35)) sql += ` LIMIT ${r.range(0, 10)}${r.chance(0.2) ? ` OFFSET ${r.range(0, 3)}` : ''}`;
    return sql;
  }

  private item(col: () => { text: string }, grouped: boolean, keys: string[], i: number): string {
    const r = this.rng;
    const k = r.int(10);
    let e: string;
    if (grouped && i === 0 && keys.length) e = keys[0]!;
    else if (grouped || k < 2) e = r.chance(0.3) ? 'count(*)' : `${r.pick(AGGS)}(${r.chance(0.15) ? 'DISTINCT ' : ''}${col().text})`;
    else if (k < 3) e = `${r.pick(SCALARS)}(${col().text})`;
    else if (k < 4) e = `${col().text} ${r.pick(['+', '-', '*', '||'])} ${r.range(1, 9)}`;
    else if (k < 5) e = `CASE WHEN ${col().text} IS NULL THEN 'none' ELSE ${col().text} END`;
    else if (k < 6) e = `CAST(${col().text} AS ${r.pick(['TEXT', 'INTEGER', 'REAL'])})`;
    else if (k < 7 && !grouped) e = '*';
    else e = col().text;
    return e !== '*' && r.chance(0.2) ? `${e} AS out${i + 1}` : e;
  }

  /** One to three tables, joined on a foreign key when the schema has one between them. */
  private sources(): Src[] {
    const r = this.rng;
    const first = r.pick(this.tables);
    const chosen = [first];
    const n = r.chance(0.5) ? 1 : r.range(2, 3);
    while (chosen.length < n) {
      const linked = this.tables.filter((t) => !chosen.includes(t) && chosen.some((c) => fkBetween(c, t) || fkBetween(t, c)));
      const pool = linked.length && r.chance(0.8) ? linked : this.tables;
      chosen.push(r.pick(pool));
    }
    if (chosen.length === 1 && r.chance(0.7)) return [{ table: first, ref: sqlName(first.name), text: sqlName(first.name) }];
    return chosen.map((t, i) => ({ table: t, ref: `T${i + 1}`, text: `${sqlName(t.name)} AS T${i + 1}` }));
  }

  private from(srcs: Src[]): string {
    const r = this.rng;
    let out = srcs[0]!.text;
    for (let i = 1; i < srcs.length; i++) {
      const s = srcs[i]!;
      const on = this.joinCondition(srcs.slice(0, i), s);
      out += r.chance(0.1) ? `, ${s.text}` : ` ${r.pick(['JOIN', 'JOIN', 'LEFT JOIN', 'INNER JOIN'])} ${s.text} ON ${on}`;
    }
    return out;
  }

  private joinCondition(before: Src[], s: Src): string {
    const r = this.rng;
    for (const b of before) {
      const fk = s.table.foreignKeys.find((f) => f.table.toLowerCase() === b.table.name.toLowerCase()) ?? null;
      if (fk) return `${s.ref}.${sqlName(fk.from)} = ${b.ref}.${sqlName(fk.to || fk.from)}`;
      const back = b.table.foreignKeys.find((f) => f.table.toLowerCase() === s.table.name.toLowerCase()) ?? null;
      if (back) return `${b.ref}.${sqlName(back.from)} = ${s.ref}.${sqlName(back.to || back.from)}`;
    }
    const b = r.pick(before);
    return `${b.ref}.${sqlName(r.pick(b.table.columns).name)} = ${s.ref}.${sqlName(r.pick(s.table.columns).name)}`;
  }

  private predicate(col: () => { s: Src; c: { name: string; examples: SqlValue[] }; text: string }, depth: number): string {
    const r = this.rng;
    const parts: string[] = [];
    const n = r.range(1, 3);
    for (let i = 0; i < n; i++) {
      const { c, text } = col();
      const k = r.int(12);
      const v = literal(r, c.examples);
      if (k < 4) parts.push(`${text} ${r.pick(CMP)} ${v}`);
      else if (k < 5) parts.push(`${text} LIKE '%${likeText(r, c.examples)}%'`);
      else if (k < 6) parts.push(`${text} BETWEEN ${v} AND ${literal(r, c.examples)}`);
      else if (k < 7) parts.push(`${text} IS ${r.chance(0.5) ? 'NOT ' : ''}NULL`);
      else if (k < 8) parts.push(`${text} ${r.chance(0.3) ? 'NOT ' : ''}IN (${v}, ${literal(r, c.examples)})`);
      else if (depth > 0 && k < 10) {
        const t = r.pick(this.tables);
        const inner = sqlName(r.pick(t.columns).name);
        parts.push(`${text} ${r.chance(0.3) ? 'NOT ' : ''}IN (SELECT ${inner} FROM ${sqlName(t.name)}${r.chance(0.4) ? ` WHERE ${inner} IS NOT NULL` : ''})`);
      } else if (depth > 0 && k < 11) parts.push(`${text} ${r.pick(['>', '<', '='])} (SELECT ${r.pick(['avg', 'max', 'min'])}(${text.replace(/^T\d+\./, '')}) FROM ${sqlName(col().s.table.name)})`);
      else if (depth > 0) parts.push(`${r.chance(0.5) ? 'NOT ' : ''}EXISTS (${this.core(1, depth - 1)})`);
      else parts.push(`${text} IS NOT NULL`);
    }
    return parts.join(r.chance(0.75) ? ' AND ' : ' OR ');
  }
}

function fkBetween(a: TableInfo, b: TableInfo): boolean {
  return a.foreignKeys.some((f) => f.table.toLowerCase() === b.name.toLowerCase());
}

/** A literal: one of the column's example values, or a made-up number or string. */
function literal(r: Rng, examples: SqlValue[]): string {
  const ex = examples.filter((v) => v !== null && !(v instanceof Uint8Array));
  if (ex.length && r.chance(0.7)) {
    const v = r.pick(ex);
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  }
  return r.chance(0.5) ? String(r.range(-5, 2000)) : `'${r.pick(['x', 'New York', "O'Brien", '', 'ü', '1999-01-01'])}'`;
}

function likeText(r: Rng, examples: SqlValue[]): string {
  const s = examples.find((v) => typeof v === 'string') as string | undefined;
  if (!s) return r.pick(['a', 'e', 'an']);
  const i = r.int(Math.max(1, s.length - 2));
  return s.slice(i, i + 3).replace(/'/g, "''").replace(/%/g, '');
}
