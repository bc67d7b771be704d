import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/core/decode';
import { decomposeSql } from '../src/core/decompose';
import { ImpliedGenerator } from '../scripts/lib/impliedQuestions';
import { SynthGenerator, words } from '../scripts/lib/synthQuestions';
import initSqlJs from 'sql.js';
import { inventedMap, renamedDatabase, swapMap } from '../scripts/lib/renameSchema';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { normalizeTrajectory, printWithoutNotes } from '../src/core/cocte';
import { sqlName } from '../src/core/sqlcheck/catalog';
import { PrefixChecker } from '../src/core/sqlcheck/checker';
import { normalizeSql, schemaNameTest } from '../src/core/sqlFormat';
import { sameResult } from '../src/core/resultCompare';
import { ordersResult } from '../src/core/sqlAst';
import { fixtureBytes, fixtureEngine } from './helpers';

describe('template questions (policy data augmentation)', () => {
  it('spells identifiers in words', () => {
    expect(words('Num_Employees')).toBe('num employees');
    expect(words('StuID')).toBe('stu id');
    expect(words('concert_Name')).toBe('concert name');
  });

  it('writes questions whose SQL runs on the database and decomposes into a chain', async () => {
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const gen = new SynthGenerator(
      { dbId: 'concert_singer', tables: schema.tables, rows: (q) => { const r = engine.query(q, 1000); return r.ok ? r.result.rows : []; } },
      mulberry32(7),
    );
    const exs = gen.generate(60);
    expect(exs.length).toBeGreaterThan(40);
    expect(new Set(exs.map((e) => e.query)).size).toBe(exs.length);
    for (const e of exs) {
      const r = engine.query(e.query, 1000);
      expect(r.ok, `${e.query}: ${r.ok ? '' : r.error}`).toBe(true);
      expect(() => decomposeSql(e.query, schema)).not.toThrow();
      expect(e.question).toMatch(/[?.]$/);
    }
    // Several patterns show up, joins along foreign keys included.
    expect(exs.some((e) => /JOIN/.test(e.query))).toBe(true);
    expect(exs.some((e) => /GROUP BY/.test(e.query))).toBe(true);
    expect(exs.some((e) => /WHERE/.test(e.query))).toBe(true);
    // Deterministic for a seed.
    const again = new SynthGenerator({ dbId: 'concert_singer', tables: schema.tables, rows: (q) => { const r = engine.query(q, 1000); return r.ok ? r.result.rows : []; } }, mulberry32(7));
    expect(again.generate(60)).toEqual(exs);
  });
});

describe('template questions phrased from meaning and values (policy data augmentation)', () => {
  it("says a column by an adjective, a value or the question's form, and its SQL runs and decomposes", async () => {
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const db = { dbId: 'concert_singer', tables: schema.tables, rows: (q: string) => { const r = engine.query(q, 1000); return r.ok ? r.result.rows : []; } };
    const exs = new ImpliedGenerator(db, mulberry32(7)).generate(40);
    expect(exs.length).toBeGreaterThan(25);
    expect(new Set(exs.map((e) => e.query)).size).toBe(exs.length);
    for (const e of exs) {
      const r = engine.query(e.query, 1000);
      expect(r.ok, `${e.query}: ${r.ok ? '' : r.error}`).toBe(true);
      expect(() => decomposeSql(e.query, schema)).not.toThrow();
    }
    // `Age` is said as "oldest" / "younger than", never by its name; a year by "most recent" or "after".
    const byAge = exs.filter((e) => /\bAge\b/.test(e.query) && /ORDER BY|WHERE/.test(e.query));
    expect(byAge.length).toBeGreaterThan(0);
    for (const e of byAge) expect(e.question).not.toMatch(/\bage\b/i);
    expect(exs.some((e) => /oldest|youngest|older|younger/.test(e.question))).toBe(true);
    // A place said by its value: "singers from France" filters Country.
    expect(exs.some((e) => /WHERE Country = '/.test(e.query) && !/country/i.test(e.question))).toBe(true);
    // The singer's name column is what "which singer" asks for, and a song's release year is not the singer's year.
    expect(exs.some((e) => /^SELECT Name FROM singer/.test(e.query))).toBe(true);
    expect(exs.some((e) => /GROUP BY Song_release_year/.test(e.query))).toBe(false);
    expect(new ImpliedGenerator(db, mulberry32(7)).generate(40)).toEqual(exs);
  });
});

describe('swapped-name databases (policy data augmentation)', () => {
  it("renames a database copy's tables and columns to other databases' names, keys and data intact", async () => {
    const SQL = await initSqlJs();
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const map = swapMap(schema, ['employee', 'Orders', 'select', 'Student'], ['Prominence', 'date_to', 'If_full_time', 'Area_size', 'order', 'budget', 'city', 'rank'], mulberry32(3));
    // Reserved words and names the database already has are never drawn; one new name per old name.
    expect([...map.values()].map((v) => v.toLowerCase())).not.toContain('select');
    expect(new Set([...map.values()].map((v) => v.toLowerCase())).size).toBe(map.size);
    const bytes = fixtureBytes('concert_singer.sqlite');
    const copy = renamedDatabase(SQL, bytes, schema, map);
    expect(copy.failed).toBe(0);
    expect(fixtureBytes('concert_singer.sqlite')).toEqual(bytes); // the source is not modified
    expect(renamedDatabase(SQL, bytes, schema, map).bytes).toEqual(copy.bytes); // and can be renamed again
    const swapped = new SqlJsEngine(SQL);
    swapped.open(copy.bytes);
    const s2 = swapped.schema();
    const singer = s2.tables.find((t) => t.name === map.get('singer'))!;
    expect(singer).toBeDefined();
    expect(singer.rowCount).toBe(schema.tables.find((t) => t.name === 'singer')!.rowCount);
    // A foreign key follows its renamed table and column.
    const sic = s2.tables.find((t) => t.name === (map.get('singer_in_concert') ?? 'singer_in_concert'))!;
    expect(sic.foreignKeys.some((f) => f.table === singer.name)).toBe(true);
    const col = map.get('name') ?? 'Name';
    const r = swapped.query(`SELECT count(DISTINCT "${col}") FROM "${singer.name}"`, 10);
    const before = engine.query('SELECT count(DISTINCT Name) FROM singer', 10);
    expect(r.ok && r.result.rows).toEqual(before.ok && before.result.rows);
  });
});

describe('invented-name databases (policy data augmentation)', () => {
  it('gives every table and column a made-up plain name, unique and deterministic per seed, that SQLite accepts', async () => {
    const SQL = await initSqlJs();
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const map = inventedMap(schema, mulberry32(7));
    const names = new Set(schema.tables.flatMap((t) => [t.name, ...t.columns.map((c) => c.name)]).map((n) => n.toLowerCase()));
    expect(map.size).toBe(names.size);
    for (const v of map.values()) {
      expect(v).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(names.has(v.toLowerCase())).toBe(false);
    }
    expect(new Set([...map.values()].map((v) => v.toLowerCase())).size).toBe(map.size);
    expect([...inventedMap(schema, mulberry32(7))]).toEqual([...map]);
    const copy = renamedDatabase(SQL, fixtureBytes('concert_singer.sqlite'), schema, map);
    expect(copy.failed).toBe(0);
    const invented = new SqlJsEngine(SQL);
    invented.open(copy.bytes);
    expect(invented.schema().tables.map((t) => t.name).sort()).toEqual(schema.tables.map((t) => map.get(t.name.toLowerCase())!).sort());
  });

  it('with odd names, some names need quotes, and template SQL quotes them, runs, decomposes and passes the checker', async () => {
    const SQL = await initSqlJs();
    const engine = await fixtureEngine('concert_singer.sqlite');
    const schema = engine.schema();
    const map = inventedMap(schema, mulberry32(11), 0.5);
    const odd = [...map.values()].filter((v) => sqlName(v) !== v);
    expect(odd.length).toBeGreaterThan(3);
    for (const v of odd) expect(v).toMatch(/^(?:[A-Za-z]+ [A-Za-z]+|[a-z]+)$/);
    const copy = renamedDatabase(SQL, fixtureBytes('concert_singer.sqlite'), schema, map);
    expect(copy.failed).toBe(0);
    const oddEngine = new SqlJsEngine(SQL);
    oddEngine.open(copy.bytes);
    const s2 = oddEngine.schema();
    const exs = new SynthGenerator({ dbId: 'x', tables: s2.tables, rows: (q) => { const r = oddEngine.query(q, 1000); return r.ok ? r.result.rows : []; } }, mulberry32(3)).generate(40);
    const checker = new PrefixChecker(s2);
    const quoted = exs.filter((e) => e.query.includes('"'));
    expect(quoted.length).toBeGreaterThan(10);
    for (const e of exs) {
      const gold = oddEngine.query(e.query, 1000);
      expect(gold.ok, `${e.query}: ${gold.ok ? '' : gold.error}`).toBe(true);
      const chain = printWithoutNotes(normalizeTrajectory(decomposeSql(normalizeSql(e.query, schemaNameTest(s2)), s2)));
      const got = oddEngine.query(chain, 1000);
      expect(got.ok && gold.ok && sameResult(gold.result.rows, got.result.rows, ordersResult(e.query)), chain).toBe(true);
      expect(checker.complete(chain), chain).toBe(true);
    }
    // Without odd names the map is the one earlier policy data was built with.
    expect([...inventedMap(schema, mulberry32(7), 0)]).toEqual([...inventedMap(schema, mulberry32(7))]);
  });
});
