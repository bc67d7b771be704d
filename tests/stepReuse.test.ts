/**
 * Step reuse (core/stepReuse.ts, SqlJsEngine.queryStep): every step run from the kept rows of the steps before it
 * gives what its plain prefix query gives (columns, rows in order, total count, errors), over the 103 exercise chains
 * and the sample queries on the bundled databases, and the user's database is byte for byte unchanged.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { parseCoCTE, stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { StepRunner } from '../src/core/stepRunner';
import { reusingSql } from '../src/core/stepReuse';
import { EXERCISES } from '../src/core/teaching/exerciseSet';
import type { QueryOutcome, Trajectory } from '../src/core/types';
import { SAMPLES } from '../src/state/samples';
import { SqlJsEngine } from '../src/workers/sqljsEngine';

const SQL = await initSqlJs();
const open = (file: string) => {
  const e = new SqlJsEngine(SQL);
  e.open(new Uint8Array(readFileSync(join('public/samples', file))));
  return e;
};
const engines = new Map(SAMPLES.map((s) => [s.id, open(s.file)] as const));
const sha = (b: Uint8Array | null) => createHash('sha256').update(b!).digest('hex');
const same = (a: QueryOutcome, b: QueryOutcome) => {
  if (!a.ok || !b.ok) return a.ok === b.ok && JSON.stringify(a) === JSON.stringify(b);
  return JSON.stringify([a.result.columns, a.result.rows, a.result.totalRows, a.result.truncated]) === JSON.stringify([b.result.columns, b.result.rows, b.result.totalRows, b.result.truncated]);
};

function chains(): { db: string; t: Trajectory }[] {
  const out = EXERCISES.map((e) => ({ db: e.db, t: parseCoCTE(e.chain).trajectory }));
  for (const s of SAMPLES) out.push({ db: s.id, t: decomposeSql(s.query, engines.get(s.id)!.schema()) });
  return out;
}

describe('step reuse', () => {
  it('gives every step the result of its plain prefix query, and leaves the database unchanged', () => {
    const before = new Map([...engines].map(([id, e]) => [id, sha(e.exportBytes())]));
    let steps = 0;
    const differ: string[] = [];
    for (const { db, t } of chains()) {
      const e = engines.get(db)!;
      for (let i = 0; i <= t.steps.length; i++) {
        const reused = e.queryStep(t, i, 10_000);
        const plain = e.query(stepPrefixSql(t, i), 10_000);
        steps++;
        if (!same(reused, plain)) differ.push(`${db} step ${i}: ${stepPrefixSql(t, i).slice(0, 80)}`);
      }
    }
    expect(differ).toEqual([]);
    expect(steps).toBeGreaterThan(250);
    for (const [id, e] of engines) expect(sha(e.exportBytes()), id).toBe(before.get(id));
  });

  it('reads the kept rows of earlier steps (a random() step is computed once)', () => {
    const e = engines.get('concert_singer')!;
    const t = parseCoCTE('WITH s1 AS (SELECT random() AS r), s2 AS (SELECT r FROM s1) SELECT r FROM s2').trajectory;
    const r1 = e.queryStep(t, 0, 10);
    const r2 = e.queryStep(t, 1, 10);
    const fin = e.queryStep(t, 2, 10);
    expect(r1.ok && r2.ok && fin.ok).toBe(true);
    if (!r1.ok || !r2.ok || !fin.ok) return;
    expect(r2.result.rows).toEqual(r1.result.rows);
    expect(fin.result.rows).toEqual(r1.result.rows);
    expect(reusingSql(t, 2, (j) => `tab${j}`)).toContain('s2 AS (\n    SELECT * FROM temp.tab1');
  });

  it('keeps duplicate column names, explicit column lists, errors and recursive chains as the plain query has them', () => {
    const e = engines.get('concert_singer')!;
    const cases = [
      'WITH s1 AS (SELECT a.Name, b.Name FROM singer a JOIN singer b ON a.Singer_ID = b.Singer_ID) SELECT * FROM s1',
      'WITH s1(n, c) AS (SELECT Name, Country FROM singer), s2 AS (SELECT c, count(*) FROM s1 GROUP BY c) SELECT * FROM s2 ORDER BY 1',
      'WITH s1 AS (SELECT Name FROM singer), s2 AS (SELECT nope FROM s1) SELECT * FROM s2',
      'WITH s1 AS (SELECT nope FROM singer), s2 AS (SELECT * FROM s1) SELECT * FROM s2',
      'WITH RECURSIVE s1(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s1 WHERE n < 5), s2 AS (SELECT sum(n) FROM s1) SELECT * FROM s2',
    ];
    for (const text of cases) {
      const t = parseCoCTE(text).trajectory;
      for (let i = 0; i <= t.steps.length; i++) expect(same(e.queryStep(t, i, 100), e.query(stepPrefixSql(t, i), 100)), `${text} step ${i}`).toBe(true);
    }
  });

  it('refuses writes hidden in a step exactly as a plain query does', () => {
    const e = engines.get('concert_singer')!;
    const before = sha(e.exportBytes());
    for (const text of ['WITH s1 AS (SELECT 1); DELETE FROM singer; --\n) SELECT * FROM s1', 'DELETE FROM singer', 'WITH s1 AS (SELECT 1) SELECT * FROM s1; DROP TABLE singer']) {
      const t = parseCoCTE(text).trajectory;
      for (let i = 0; i <= t.steps.length; i++) expect(same(e.queryStep(t, i, 10), e.query(stepPrefixSql(t, i), 10))).toBe(true);
    }
    expect(sha(e.exportBytes())).toBe(before);
  });

  it('runs through StepRunner with a step runner, caching by prefix', async () => {
    const e = engines.get('chinook')!;
    const t = decomposeSql(SAMPLES[0]!.query, e.schema());
    const runner = new StepRunner({ step: async (tr, i) => e.queryStep(tr, i, 10_000) });
    const first = await runner.runAll(t);
    const again = await runner.runAll(t);
    expect(first.every((r) => r.outcome.ok && !r.cached)).toBe(true);
    expect(again.every((r) => r.cached)).toBe(true);
    expect(first.map((r) => r.outcome)).toEqual(again.map((r) => r.outcome));
  });
});
