/**
 * Identifier-renaming augmentation for the policy's training data. The training set has only ~140 schemas, so a
 * small model can score well by memorizing their names instead of copying names from its prompt (run 2 wrote
 * `FROM people` for a singer question whose prompt holds only `singer`). A renamed copy of an example changes the
 * spelling of its table and column names in the prompt and in the target alike (case, snake/camel case, plural,
 * a prefix or suffix), keeping the words the question shares with them, so only copying from the prompt fits.
 */
import { lex } from '../../src/core/sqlLexer';
import type { SchemaInfo } from '../../src/core/types';
import type { SqlJsStatic } from 'sql.js';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(
  ('select from where and or not in is null like glob between exists group by having order asc desc limit offset join inner left ' +
    'right full outer cross natural on using as distinct all union intersect except with case when then else end cast collate ' +
    'values count sum avg min max abs round length lower upper date time index key primary table').split(' '),
);

function camel(name: string): string {
  return name.replace(/_+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
}
function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** One new spelling for a name; `isTable` allows table-only changes (plural, `tbl_` prefix). */
function respell(name: string, isTable: boolean, rand: () => number): string {
  const r = rand();
  if (r < 0.2) return name.toLowerCase();
  if (r < 0.3) return name.toUpperCase();
  if (r < 0.45) return name.includes('_') ? camel(name[0]!.toUpperCase() + name.slice(1)) : snake(name);
  if (r < 0.6) return isTable ? (/s$/i.test(name) ? name.replace(/s$/i, '') : `${name}s`) : `${name}_${['val', 'info', 'txt', 'no'][Math.floor(rand() * 4)]}`;
  if (r < 0.75) return `${isTable ? ['tbl_', 't_', 'dim_'][Math.floor(rand() * 3)] : ['c_', 'f_'][Math.floor(rand() * 2)]}${name}`;
  return name;
}

/** A case-insensitive old -> new map over every table and column name of the schema (one spelling per name). */
export function renameMap(schema: SchemaInfo, rand: () => number): Map<string, string> {
  const map = new Map<string, string>();
  const used = new Set<string>();
  const add = (name: string, isTable: boolean) => {
    const key = name.toLowerCase();
    if (map.has(key)) return;
    let next = PLAIN.test(name) ? respell(name, isTable, rand) : name;
    if (!PLAIN.test(next) || RESERVED.has(next.toLowerCase()) || used.has(next.toLowerCase())) next = name;
    map.set(key, next);
    used.add(next.toLowerCase());
  };
  for (const t of schema.tables) add(t.name, true);
  for (const t of schema.tables) for (const c of t.columns) add(c.name, false);
  return map;
}

export function renameSchema(schema: SchemaInfo, map: Map<string, string>): SchemaInfo {
  const to = (n: string) => map.get(n.toLowerCase()) ?? n;
  return {
    ...schema,
    tables: schema.tables.map((t) => ({
      ...t,
      name: to(t.name),
      columns: t.columns.map((c) => ({ ...c, name: to(c.name) })),
      primaryKey: t.primaryKey.map(to),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, from: to(f.from), table: to(f.table), to: f.to ? to(f.to) : f.to })),
    })),
  };
}

/** The SQL with every schema name renamed (words that call a function, strings and quoted names are left alone). */
export function renameSql(sql: string, map: Map<string, string>): string {
  const toks = lex(sql);
  return toks
    .map((t, i) => {
      if (t.kind !== 'word') return t.text;
      const next = toks.slice(i + 1).find((x) => x.kind !== 'space');
      if (next?.kind === 'open' && RESERVED.has(t.text.toLowerCase())) return t.text;
      return map.get(t.text.toLowerCase()) ?? t.text;
    })
    .join('');
}

/**
 * A swap map: every simple table and column name of `schema` replaced by a name drawn from other databases' names
 * (`tablePool`, `columnPool`), one new name per old name (case-insensitive, so foreign-key columns stay matched), no
 * two alike within the database. Renamed copies keep the question's words, so a model could still lean on what a
 * name means; swapped names (a `singer` table called `employee`) leave copying from the prompt as the only way.
 */
export function swapMap(schema: SchemaInfo, tablePool: string[], columnPool: string[], rand: () => number): Map<string, string> {
  const from = (pool: string[]) => () => pool[Math.floor(rand() * pool.length)]!;
  return replacementMap(schema, from(tablePool), from(columnPool));
}

/**
 * An invented-names map: every simple table and column name of `schema` replaced by a made-up pronounceable name
 * (`Velor_Kasti`, `brimtou`, `TashKeno`) in one of the case styles Spider's schemas use. Swapped names still come from
 * the ~140 training schemas, so a model can recall them from a memorized list; an invented name exists only in its
 * prompt, so writing it means copying it piece by piece, as a dev schema's unseen names (`Abbreviation`) require.
  * With `odd` > 0 that share of the names is one SQLite takes only quoted (`"velor kasti"`, `"order"`), as in analysts'
 * files: the prompt and the SQL then write them quoted (src/core/sqlcheck/catalog.ts sqlName).
 */
export function inventedMap(schema: SchemaInfo, rand: () => number, odd = 0): Map<string, string> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const word = () => {
    const n = rand() < 0.6 ? 2 : 1 + 2 * Math.floor(rand() * 2); // 2 syllables, else 1 or 3: about Spider's word length
    let w = '';
    for (let i = 0; i < n; i++) w += pick(ONSETS) + pick(VOWELS);
    return w + pick(CODAS);
  };
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  const name = (maxWords: number) => {
    const words = Array.from({ length: 1 + Math.floor(rand() * maxWords) }, word);
    const r = rand();
    if (r < 0.35) return words.join('_');
    if (r < 0.6) return words.map(cap).join('_');
    if (r < 0.8) return words.map(cap).join('');
    if (r < 0.9) return words.join('');
    return words.join('_').toUpperCase();
  };
  /** A name SQLite takes only quoted, as CSV imports make them: words with a space, or a keyword (`"order"`). */
  const oddName = () => {
    if (rand() < 0.3) return pick(KEYWORD_NAMES);
    const words = [word(), word()];
    return rand() < 0.5 ? words.join(' ') : words.map(cap).join(' ');
  };
  const draw = (maxWords: () => number) => () => (odd > 0 && rand() < odd ? oddName() : name(maxWords()));
  return replacementMap(schema, draw(() => (rand() < 0.8 ? 1 : 2)), draw(() => 2), (n) => ODD.test(n));
}

/** Keywords that analysts' tables use as column or table names, which SQL must then quote. */
const KEYWORD_NAMES = ['order', 'group', 'select', 'index', 'key', 'values', 'table', 'default', 'check', 'limit', 'from', 'where', 'case', 'end', 'references', 'transaction', 'unique'] as const;
/** An invented odd name: lower-case words joined by one space, or a keyword. */
const ODD = /^(?:[A-Za-z]+ [A-Za-z]+|[a-z]+)$/;

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'dr', 'gr', 'pl', 'st', 'tr', 'sh', 'ch', 'th', 'kl'] as const;
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ai', 'ou', 'ea', 'io'] as const;
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 't', 'm', 'x', 'nd', 'rk', 'st'] as const;

/**
 * One new name per old simple name (case-insensitive, so foreign-key columns stay matched), drawn by `drawTable` or
 * `drawColumn`, never a name the database already has or was given, nor a reserved word or a name that needs quotes
 * unless `quotedOk` accepts it.
 */
function replacementMap(schema: SchemaInfo, drawTable: () => string, drawColumn: () => string, quotedOk: (name: string) => boolean = () => false): Map<string, string> {
  const map = new Map<string, string>();
  const used = new Set<string>();
  const draw = (next: () => string) => {
    for (let i = 0; i < 20; i++) {
      const n = next();
      if (((PLAIN.test(n) && !RESERVED.has(n.toLowerCase())) || quotedOk(n)) && !used.has(n.toLowerCase())) return n;
    }
    return null;
  };
  const add = (name: string, next: () => string) => {
    const key = name.toLowerCase();
    if (map.has(key) || !PLAIN.test(name)) return;
    const n = draw(next);
    if (!n) return;
    map.set(key, n);
    used.add(n.toLowerCase());
  };
  for (const t of schema.tables) used.add(t.name.toLowerCase());
  for (const t of schema.tables) for (const c of t.columns) used.add(c.name.toLowerCase());
  for (const t of schema.tables) add(t.name, drawTable);
  for (const t of schema.tables) for (const c of t.columns) add(c.name, drawColumn);
  return map;
}

/**
 * A copy of a database (`bytes`) with its tables and columns renamed by `map` (ALTER TABLE, which also rewrites the
 * foreign keys); a rename SQLite refuses is skipped and counted. The original bytes are not touched.
 */
export function renamedDatabase(SQL: SqlJsStatic, bytes: Uint8Array, schema: SchemaInfo, map: Map<string, string>): { bytes: Uint8Array; failed: number } {
  const db = new SQL.Database(new Uint8Array(bytes)); // a copy: sql.js may keep and write the array it is given
  let failed = 0;
  try {
    for (const stmt of renameStatements(schema, map)) {
      try {
        db.run(stmt);
      } catch {
        failed++;
      }
    }
    return { bytes: db.export(), failed };
  } finally {
    db.close();
  }
}

/** `ALTER TABLE` statements that apply `map` to a database's tables and columns (run them on a copy). */
export function renameStatements(schema: SchemaInfo, map: Map<string, string>): string[] {
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const out: string[] = [];
  for (const t of schema.tables) {
    if (t.kind !== 'table') continue;
    for (const c of t.columns) {
      const to = map.get(c.name.toLowerCase());
      if (to && to !== c.name) out.push(`ALTER TABLE ${q(t.name)} RENAME COLUMN ${q(c.name)} TO ${q(to)}`);
    }
    const to = map.get(t.name.toLowerCase());
    if (to && to !== t.name) out.push(`ALTER TABLE ${q(t.name)} RENAME TO ${q(to)}`);
  }
  return out;
}
