import { beforeAll, describe, expect, it } from 'vitest';
import { printCoCTE, stepPrefixSql } from '../src/core/cocte';
import { DecomposeError, decomposeRunnable, decomposeSql } from '../src/core/decompose';
import { sameResult } from '../src/core/resultCompare';
import { ordersResult, queryShape } from '../src/core/sqlAst';
import type { SchemaInfo } from '../src/core/types';
import type { SqlJsEngine } from '../src/workers/sqljsEngine';
import sample from './fixtures/spider-dev-sample.json';
import { fixtureEngine } from './helpers';

const engines = new Map<string, { engine: SqlJsEngine; schema: SchemaInfo }>();

beforeAll(async () => {
  for (const db of ['concert_singer', 'pets_1']) {
    const engine = await fixtureEngine(`${db}.sqlite`);
    engines.set(db, { engine, schema: engine.schema() });
  }
});

function rowsOf(engine: SqlJsEngine, sql: string) {
  const o = engine.query(sql, 1e6);
  if (!o.ok) throw new Error(`${o.error}\n${sql}`);
  return o.result.rows;
}

/** Decomposes, checks every prefix runs, and compares the chain's result with the original's. */
function check(db: string, sql: string, minSteps = 1) {
  const { engine, schema } = engines.get(db)!;
  const t = decomposeSql(sql, schema);
  t.steps.forEach((_, i) => rowsOf(engine, stepPrefixSql(t, i)));
  const text = printCoCTE(t);
  expect(sameResult(rowsOf(engine, sql), rowsOf(engine, text), ordersResult(sql)), text).toBe(true);
  expect(t.steps.length + 1).toBeGreaterThanOrEqual(minSteps);
  return t;
}

describe('decomposeSql', () => {
  it('is equivalent by execution on every Spider dev query of the fixture databases', () => {
    for (const ex of sample) {
      const shape = queryShape(ex.query);
      const mustSplit = shape.join || shape.subquery || shape.setOperation || shape.groupBy;
      check(ex.db_id, ex.query, mustSplit ? 2 : 1);
    }
  });

  it('splits join+filter, aggregation, HAVING, and final ORDER/LIMIT into successive steps', () => {
    const t = check(
      'concert_singer',
      'SELECT T2.name, count(*) AS n FROM singer_in_concert AS T1 JOIN singer AS T2 ON T1.singer_id = T2.singer_id WHERE T2.age > 20 GROUP BY T2.singer_id HAVING count(*) >= 1 ORDER BY n DESC, T2.name LIMIT 3',
    );
    expect(t.steps.map((s) => s.name)).toEqual(['s1', 's2', 's3']);
    expect(t.steps[0]!.sql).toMatch(/JOIN singer AS T2[\s\S]*WHERE T2.age > 20/);
    expect(t.steps[0]!.note).toBe('Join singer_in_concert, singer and keep rows where T2.age > 20');
    expect(t.steps[1]!.sql).toMatch(/count\(\*\) AS count_all[\s\S]*GROUP BY singer_id/);
    expect(t.steps[2]!.sql).toBe('SELECT *\nFROM s2\nWHERE count_all >= 1');
    expect(t.final.sql).toMatch(/^SELECT name, count_all AS n\nFROM s3\nORDER BY n DESC, name\nLIMIT 3$/);
  });

  it('lifts IN / NOT IN / scalar / FROM subqueries into their own steps', () => {
    const t = check(
      'concert_singer',
      'SELECT name FROM (SELECT * FROM singer WHERE age > (SELECT avg(age) FROM singer)) AS old WHERE singer_id NOT IN (SELECT singer_id FROM singer_in_concert) AND country IN (SELECT country FROM singer WHERE is_male = "T")',
      4,
    );
    const sqls = t.steps.map((s) => s.sql).join('\n');
    expect(sqls).toContain('(SELECT * FROM s1)');
    expect(sqls).toMatch(/FROM s\d AS old/);
    expect(sqls).toMatch(/NOT IN \(SELECT \* FROM s\d\)/);
    expect(t.steps.filter((s) => s.note.startsWith('Subquery')).length).toBe(4);
  });

  it('keeps correlated subqueries inline', () => {
    const t = check(
      'concert_singer',
      'SELECT name FROM singer AS s WHERE EXISTS (SELECT 1 FROM singer_in_concert AS c WHERE c.singer_id = s.singer_id)',
    );
    expect(t.steps[0]!.sql).toContain('WHERE c.singer_id = s.singer_id');
  });

  it('turns UNION / INTERSECT / EXCEPT branches into steps, ORDER BY and LIMIT apply to the whole', () => {
    const t = check(
      'concert_singer',
      'SELECT name FROM singer WHERE age > 40 UNION SELECT name FROM singer WHERE age < 30 EXCEPT SELECT name FROM singer WHERE country = "France" ORDER BY name LIMIT 4',
      4,
    );
    expect(t.final.sql).toMatch(/SELECT \* FROM s\d\nUNION\nSELECT \* FROM s\d\nEXCEPT\nSELECT \* FROM s\d\nORDER BY name\nLIMIT 4/);
    expect(t.final.note).toBe('Combine the branches with UNION / EXCEPT, ordered by name, first LIMIT 4');
  });

  it('keeps the query own CTEs as steps and window functions in one step', () => {
    const t = check('concert_singer', 'WITH young AS (SELECT * FROM singer WHERE age < 35) SELECT count(*) FROM young');
    expect(t.steps.map((s) => s.name)).toEqual(['s1', 'young']);
    const w = check('concert_singer', 'SELECT name, rank() OVER (ORDER BY age) FROM singer WHERE age > 20');
    expect(w.steps.length).toBe(0);
  });

  it('is deterministic', () => {
    const q = sample[5]!.query;
    expect(printCoCTE(decomposeSql(q))).toBe(printCoCTE(decomposeSql(q)));
  });

  it('never joins a renamed column to the word after it (`[Name]title`: a column and its alias)', () => {
    const t = check('concert_singer', 'SELECT Name FROM singer EXCEPT SELECT [Name]title FROM singer WHERE Age > 30', 3);
    expect(printCoCTE(t)).not.toMatch(/Nametitle/);
  });

  it('reads a keyword SQLite takes as a column name wherever it stands (`count(key)`)', async () => {
    const SQL = (await import('sql.js')).default;
    const db = new (await SQL()).Database();
    db.run('CREATE TABLE t ("key" INT, "match" TEXT); INSERT INTO t VALUES (1, \'a\'), (2, \'a\'), (3, \'b\')');
    const rows = (sql: string) => db.exec(sql)[0]!.values;
    for (const sql of ['SELECT count(key) FROM t', 'SELECT match, max(key) FROM t GROUP BY match', 'SELECT t.match FROM t WHERE key > 1']) {
      const chain = printCoCTE(decomposeSql(sql));
      expect(sameResult(rows(sql), rows(chain), false), chain).toBe(true);
    }
  });

  it('refuses brackets nested too deep at once instead of backtracking for seconds', () => {
    const deep = `SELECT 1 WHERE ${'1 IN ('.repeat(16)}${')'.repeat(16)}`;
    const t0 = performance.now();
    expect(() => decomposeSql(deep)).toThrow(/nest 16 deep/);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(decomposeSql(`SELECT ${'('.repeat(8)}1${')'.repeat(8)}`).final.sql).toContain('((((');
  });

  it('keeps GROUP BY a select-list alias in one step, also when a column has the name (threw a TypeError)', () => {
    for (const sql of ['SELECT Age AS Name FROM singer GROUP BY Name', 'SELECT abs(Age) Country FROM singer GROUP BY Country HAVING count(*) > 1']) {
      const t = check('concert_singer', sql);
      expect(t.steps).toEqual([]);
    }
  });

  it('keeps in one step what it cannot split safely: GROUP BY a string, `*` over a join with T2.x where T1 has an x too', () => {
    expect(check('concert_singer', 'SELECT count(*), Country FROM singer GROUP BY "unit price"').steps).toEqual([]);
    expect(decomposeSql('SELECT count(*) FROM singer GROUP BY"a""b"Country', engines.get('concert_singer')!.schema).steps).toEqual([]);
    const t = check('concert_singer', 'SELECT *, T2.Name FROM singer AS T1, singer AS T2 ORDER BY T2.Singer_ID, T1.Singer_ID LIMIT 9');
    expect(t.steps).toEqual([]);
    // Names only one source has still split.
    expect(check('concert_singer', 'SELECT *, T2.Stadium_ID FROM concert AS T1 JOIN stadium AS T2 ON T1.Stadium_ID = T2.Stadium_ID ORDER BY T2.Capacity').steps.length).toBe(0);
    expect(check('concert_singer', 'SELECT *, T2.Capacity FROM concert AS T1 JOIN stadium AS T2 ON T1.Stadium_ID = T2.Stadium_ID ORDER BY T2.Capacity').steps.length).toBe(1);
  });

  it('rejects what is not one SELECT with a clear error', () => {
    expect(() => decomposeSql('DELETE FROM singer')).toThrow(DecomposeError);
    expect(() => decomposeSql('SELECT 1; SELECT 2')).toThrow(/one statement/);
    expect(() => decomposeSql('SELEC name FROM singer')).toThrow(/Cannot parse/);
  });
});

describe('describeStep', () => {
  it('writes a note for a step from its SQL alone', async () => {
    const { describeStep } = await import('../src/core/describeStep');
    expect(describeStep('SELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.id = T2.id WHERE T2.year > 2014')).toBe(
      'Join singer, concert and keep rows where T2.year > 2014',
    );
    expect(describeStep('SELECT country, count(*) AS n FROM s1 GROUP BY country')).toBe('Group by country and compute count(*)');
    expect(describeStep('SELECT name FROM s2 ORDER BY age DESC LIMIT 3')).toBe('Return name, ordered by age DESC, first LIMIT 3');
    expect(describeStep('SELECT * FROM a UNION SELECT * FROM b')).toBe('Combine the branches with UNION');
    expect(describeStep('SELEC nonsense')).toBe('');
  });
});

describe('decomposeRunnable', () => {
  it("refuses a query SQLite refuses, with SQLite's message, instead of a chain that would run", async () => {
    const engine = await fixtureEngine('concert_singer.sqlite');
    const run = async (sql: string) => engine.query(sql, 1);
    // The decomposer's parser takes ORDER BY before UNION; SQLite does not.
    const bad = 'SELECT Name FROM singer ORDER BY Age UNION SELECT Name FROM singer';
    expect(() => decomposeSql(bad)).not.toThrow();
    await expect(decomposeRunnable(bad, run)).rejects.toThrow(/SQLite cannot run this query: ORDER BY clause should come after UNION/);
    await expect(decomposeRunnable('SELECT nam FROM singer', run)).rejects.toThrow(/no such column: nam/);
    const good = 'SELECT Name FROM singer WHERE Age > 30;';
    expect(printCoCTE(await decomposeRunnable(good, run))).toBe(printCoCTE(decomposeSql(good)));
  });
});

describe('compound ORDER BY', () => {
  it("orders by a result column's expression through its position, since the branch steps rename the column", async () => {
    const engine = await fixtureEngine('concert_singer.sqlite');
    const sql = 'SELECT Country, count(*) FROM singer GROUP BY Country UNION SELECT Name, count(*) FROM stadium GROUP BY Name ORDER BY count(*) DESC, 1';
    const original = engine.query(sql, 1000);
    expect(original.ok).toBe(true);
    const chain = printCoCTE(decomposeSql(sql));
    expect(chain).toMatch(/ORDER BY 2 DESC, 1$/);
    const got = engine.query(chain, 1000);
    expect(got.ok && original.ok && sameResult(got.result.rows, original.result.rows, true)).toBe(true);
  });
});
