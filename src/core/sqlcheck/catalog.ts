/**
 * What the prefix checker knows besides the grammar: the open schema's tables and columns, SQLite's functions with
 * their arities (and which are aggregates), and the reserved words that cannot stand as a name. Names compare in
 * lower case, as SQLite compares them.
 */
import type { SchemaInfo } from '../types';

export interface FunctionSpec {
  min: number;
  max: number;
  /** 'always': an aggregate; 'one-arg': an aggregate with one argument, a scalar function with more (min, max). */
  agg: 'always' | 'one-arg' | 'never';
}

const MANY = 64;
/** The functions a chain may call: Spider's and the common SQLite scalar functions. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['count', { min: 1, max: 1, agg: 'always' }],
  ['sum', { min: 1, max: 1, agg: 'always' }],
  ['avg', { min: 1, max: 1, agg: 'always' }],
  ['total', { min: 1, max: 1, agg: 'always' }],
  ['group_concat', { min: 1, max: 2, agg: 'always' }],
  ['min', { min: 1, max: MANY, agg: 'one-arg' }],
  ['max', { min: 1, max: MANY, agg: 'one-arg' }],
  ['abs', { min: 1, max: 1, agg: 'never' }],
  ['round', { min: 1, max: 2, agg: 'never' }],
  ['length', { min: 1, max: 1, agg: 'never' }],
  ['lower', { min: 1, max: 1, agg: 'never' }],
  ['upper', { min: 1, max: 1, agg: 'never' }],
  ['substr', { min: 2, max: 3, agg: 'never' }],
  ['instr', { min: 2, max: 2, agg: 'never' }],
  ['replace', { min: 3, max: 3, agg: 'never' }],
  ['trim', { min: 1, max: 2, agg: 'never' }],
  ['ltrim', { min: 1, max: 2, agg: 'never' }],
  ['rtrim', { min: 1, max: 2, agg: 'never' }],
  ['coalesce', { min: 2, max: MANY, agg: 'never' }],
  ['ifnull', { min: 2, max: 2, agg: 'never' }],
  ['nullif', { min: 2, max: 2, agg: 'never' }],
  ['iif', { min: 3, max: 3, agg: 'never' }],
  ['strftime', { min: 2, max: MANY, agg: 'never' }],
  ['date', { min: 1, max: MANY, agg: 'never' }],
  ['time', { min: 1, max: MANY, agg: 'never' }],
  ['datetime', { min: 1, max: MANY, agg: 'never' }],
  ['julianday', { min: 1, max: MANY, agg: 'never' }],
  ['typeof', { min: 1, max: 1, agg: 'never' }],
]);

/** Type names CAST accepts here. */
export const TYPE_NAMES = new Set(['integer', 'int', 'real', 'float', 'double', 'text', 'numeric', 'decimal', 'blob', 'varchar', 'char']);

/**
 * Words that are never a bare name: SQLite's keywords that the grammar here uses, and a few more that SQLite reserves
 * and a chain must not use as a name (`to`, `autoincrement`, `deferrable`, `returning`, `nothing`: `SELECT 1 AS to`
 * fails in SQLite).
 */
export const RESERVED = new Set(
  (
    'select from where group by having order limit offset join inner left right full outer cross natural on using as ' +
    'distinct all union intersect except with recursive case when then else end cast and or not in is null like glob ' +
    'between exists asc desc escape collate true false values table index create insert update delete into set ' +
    'primary key references foreign default check unique constraint drop alter add begin commit rollback transaction ' +
    'isnull notnull regexp match current_date current_time current_timestamp to autoincrement deferrable returning nothing'
  ).split(' '),
);

/**
 * Reserved words SQLite never takes as a bare table or column name, even after a qualifier's dot (measured in sql.js:
 * `SELECT t.<w> FROM t` and `SELECT * FROM <w>` fail for exactly these of the words above). Such a name is written
 * quoted: `"order"`, `T1."select"`.
 */
export const NEVER_BARE = new Set(
  (
    'select from where group having order limit join on using as distinct all union intersect except case when then ' +
    'else and or not in is null between exists escape collate values table index create insert update delete into set ' +
    'primary references foreign default check unique constraint drop alter add commit transaction isnull notnull to ' +
    'autoincrement deferrable returning nothing'
  ).split(' '),
);

/**
 * A name as SQL must write it: quoted unless it is a plain identifier SQLite takes bare. Unlike sqlLexer.ts's
 * `quoteIdent`, which quotes every SQLite keyword, it leaves the keywords SQLite accepts as names (`match`, `key`)
 * bare, as the training prompts and chains spell them.
 */
export function sqlName(name: string): string {
  return IDENT.test(name) && !NEVER_BARE.has(name.toLowerCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

export interface Catalog {
  /** Table → its columns, in order, names folded (`foldName`). */
  tables: ReadonlyMap<string, readonly string[]>;
  /** Every column of every table, folded. */
  columns: ReadonlySet<string>;
}

/**
 * A name as SQLite compares it: ASCII letters in lower case, every other character as it is (SQLite folds only ASCII
 * case, so `"Ωmega"` and `"ωmega"` are two names). The checker keeps and compares names folded so.
 */
export function foldName(name: string): string {
  return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export function catalogOf(schema: SchemaInfo): Catalog {
  const tables = new Map<string, string[]>();
  const columns = new Set<string>();
  for (const t of schema.tables) {
    const cols = t.columns.map((c) => foldName(c.name));
    tables.set(foldName(t.name), cols);
    for (const c of cols) columns.add(c);
  }
  return { tables, columns };
}

/** A plain identifier (what a new name, alias or CTE may be called). */
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Table aliases are written as Spider writes them: T1, t2 (a letter and one or two digits). */
export const TABLE_ALIAS = /^[a-z][0-9]{1,2}$/;

/** Sources one SELECT may read: past this a small model is looping, not joining (Spider's gold joins at most 5). */
export const MAX_SOURCES = 5;
