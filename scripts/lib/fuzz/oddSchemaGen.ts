/**
 * Generated databases with the names and objects analysts' files have (CSV imports above all): names with spaces,
 * quotes, backticks, brackets, non-ASCII letters and emoji, SQL keywords, 1,000-character names; views, WITHOUT
 * ROWID tables, generated columns, triggers, indexes, a big BLOB, NULL-only columns; and cell values with quotes,
 * markup and long text. Each database says what it holds (tables, their columns by role, views), so that queries
 * a person would write over it can be generated with the right quoting (oddSchemas.ts).
 */
import type { Database, SqlJsStatic } from 'sql.js';
import type { Rng } from './common';

/** Odd names by kind; every kind is used (database i takes its first table name from kind i). */
export const ODD_NAMES: Record<string, string[]> = {
  spaces: ['Order Items', 'unit price', ' padded ', 'two  spaces', 'Customer Name'],
  quotes: ['weird"quote', "it's", 'say "hi"', "O'Brien's"],
  backticks: ['back`tick', '`wrapped`'],
  brackets: ['[bracket]', 'a]b', 'x[1]', '(paren)'],
  unicode: ['naïve', '名前', 'Straße', '😀 emoji', 'Ωmega', 'café au lait'],
  keywords: ['select', 'from', 'order', 'group', 'table', 'where', 'key', 'match', 'values', 'index', 'limit', 'join', 'case', 'Order'],
  long: ['L'.repeat(1000), `long ${'name '.repeat(199)}`.slice(0, 1000), 'x'.repeat(999) + '"'],
  other: ['123abc', 'dots.in.name', 'semi;colon', 'dash-name', 'per%cent', 'rowid', 'line\nbreak', 'tab\there', '--comment', '/*c*/'],
};
const KINDS = Object.keys(ODD_NAMES);

const TEXT_VALUES = ["O'Brien", 'say "hi"', '<script>alert(1)</script>', 'naïve café', '名前', '', ' ', 'a%b_c', 'NULL', 'line\nbreak', 'x'.repeat(300), 'New York', 'Ann'];

export type Role = 'pk' | 'num' | 'text' | 'null' | 'generated' | 'fk' | 'blob';

export interface OddColumn {
  name: string;
  role: Role;
}

export interface OddTable {
  name: string;
  columns: OddColumn[];
  withoutRowid: boolean;
  rows: number;
  /** The table its `fk` column refers to (by its primary key). */
  parent?: string;
}

export interface OddDatabase {
  bytes: Uint8Array;
  tables: OddTable[];
  views: { name: string; columns: string[] }[];
  /** What it holds that is unusual, for the report. */
  features: string[];
}

/** Quoted for DDL: always double quotes, inner ones doubled. */
export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Database number `index`: two or three tables (the first named from kind `index`), views, triggers, rows. */
export function oddDatabase(SQL: SqlJsStatic, rng: Rng, index: number, bigBlobBytes: number): OddDatabase {
  const used = new Set<string>();
  const fresh = (kind?: string): string => {
    for (let tries = 0; ; tries++) {
      const base = rng.pick(ODD_NAMES[kind ?? rng.pick(KINDS)]!);
      const name = tries < 8 ? base : `${base} ${tries}`;
      if (!used.has(name.toLowerCase())) {
        used.add(name.toLowerCase());
        return name;
      }
    }
  };
  const db = new SQL.Database();
  const features: string[] = [];
  const tables: OddTable[] = [];
  const nTables = rng.range(2, 3);
  for (let i = 0; i < nTables; i++) {
    const colNames = new Set<string>();
    const col = (role: Role, kind?: string): OddColumn => {
      let name = fresh(kind);
      while (colNames.has(name.toLowerCase())) name = fresh(kind);
      colNames.add(name.toLowerCase());
      return { name, role };
    };
    const name = fresh(i === 0 ? KINDS[index % KINDS.length] : undefined);
    const columns: OddColumn[] = [col('pk'), col('text'), col('num'), col('text')];
    if (rng.chance(0.5)) columns.push(col('null'));
    if (rng.chance(0.4)) columns.push(col('generated'));
    const parent = i > 0 ? tables[0]! : undefined;
    if (parent) columns.push(col('fk'));
    const t: OddTable = { name, columns, withoutRowid: rng.chance(0.3), rows: rng.range(6, 20), ...(parent ? { parent: parent.name } : {}) };
    createTable(db, t, parent, rng);
    tables.push(t);
    if (t.withoutRowid) features.push('WITHOUT ROWID');
  }
  if (index === 0 && bigBlobBytes > 0) {
    const t: OddTable = { name: fresh('spaces'), columns: [{ name: 'id', role: 'pk' }, { name: 'payload', role: 'blob' }, { name: 'label', role: 'text' }], withoutRowid: false, rows: 1 };
    db.run(`CREATE TABLE ${q(t.name)} (id INTEGER PRIMARY KEY, payload BLOB, label TEXT)`);
    db.run(`INSERT INTO ${q(t.name)} VALUES (1, randomblob(${bigBlobBytes}), 'big')`);
    tables.push(t);
    features.push(`BLOB of ${bigBlobBytes} bytes`);
  }
  const views: OddDatabase['views'] = [];
  const t0 = tables[0]!;
  if (rng.chance(0.7)) {
    const name = fresh();
    const cols = t0.columns.filter((c) => c.role === 'pk' || c.role === 'text').slice(0, 2).map((c) => c.name);
    db.run(`CREATE VIEW ${q(name)} AS SELECT ${cols.map(q).join(', ')} FROM ${q(t0.name)}`);
    views.push({ name, columns: cols });
    features.push('view');
  }
  if (rng.chance(0.5)) {
    const num = t0.columns.find((c) => c.role === 'num')!;
    db.run(`CREATE TRIGGER ${q(fresh())} AFTER UPDATE ON ${q(t0.name)} BEGIN UPDATE ${q(t0.name)} SET ${q(num.name)} = ${q(num.name)} + 1; END`);
    features.push('trigger');
  }
  if (rng.chance(0.5)) {
    db.run(`CREATE INDEX ${q(fresh())} ON ${q(t0.name)} (${q(t0.columns[1]!.name)})`);
    features.push('index');
  }
  for (const t of tables) for (const c of t.columns) if (c.role === 'null' || c.role === 'generated') features.push(c.role === 'null' ? 'NULL-only column' : 'generated column');
  const bytes = db.export();
  db.close();
  return { bytes, tables, views, features: [...new Set(features)] };
}

function createTable(db: Database, t: OddTable, parent: OddTable | undefined, rng: Rng): void {
  const num = t.columns.find((c) => c.role === 'num')!;
  const defs = t.columns.map((c) => {
    switch (c.role) {
      case 'pk':
        return `${q(c.name)} INTEGER PRIMARY KEY`;
      case 'num':
        return `${q(c.name)} ${rng.pick(['REAL', 'INTEGER', 'NUMERIC', 'INT'])}`;
      case 'text':
        return `${q(c.name)} ${rng.pick(['TEXT', 'VARCHAR(20)', '', 'CHAR(80)'])}`;
      case 'null':
        return `${q(c.name)} ${rng.pick(['TEXT', 'INTEGER', ''])}`;
      case 'generated':
        return `${q(c.name)} REAL GENERATED ALWAYS AS (${q(num.name)} * 2) ${rng.pick(['VIRTUAL', 'STORED'])}`;
      case 'fk':
        return `${q(c.name)} INTEGER REFERENCES ${q(parent!.name)}(${q(parent!.columns[0]!.name)})`;
      case 'blob':
        return `${q(c.name)} BLOB`;
    }
  });
  db.run(`CREATE TABLE ${q(t.name)} (${defs.join(', ')})${t.withoutRowid ? ' WITHOUT ROWID' : ''}`);
  const stored = t.columns.filter((c) => c.role !== 'generated');
  const insert = db.prepare(`INSERT INTO ${q(t.name)} (${stored.map((c) => q(c.name)).join(', ')}) VALUES (${stored.map(() => '?').join(', ')})`);
  for (let r = 1; r <= t.rows; r++) {
    insert.run(
      stored.map((c) => {
        switch (c.role) {
          case 'pk':
            return r;
          case 'num':
            return rng.chance(0.1) ? null : rng.chance(0.5) ? rng.range(-50, 500) : Math.round(rng.float() * 10000) / 100;
          case 'text':
            return rng.chance(0.1) ? null : rng.pick(TEXT_VALUES);
          case 'fk':
            return rng.range(1, parent!.rows);
          default:
            return null;
        }
      }),
    );
  }
  insert.free();
}
