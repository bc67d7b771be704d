/**
 * Runaway queries through the path the studio takes (sqlEngineClient.ts with a Node worker thread running the same
 * dispatcher as the browser's Web Worker): a cartesian product of the largest tables, an endless WITH RECURSIVE,
 * strings doubling without end, randomblob(2e9) and other huge values, deeply nested subqueries, and LIKE and GLOB
 * patterns that match by backtracking over long strings. Each must end within 2 s of the timeout, cancelled (the
 * worker replaced and the database re-opened from the kept bytes) or refused by SQLite with a clear message; then the
 * database must be intact (every table's rows and the schema as before) and the next query must answer.
 */
import { readFileSync } from 'node:fs';
import { quoteIdent } from '../../../src/core/sqlLexer';
import type { QueryOutcome, SchemaInfo } from '../../../src/core/types';
import { SqlEngineClient } from '../../../src/workers/sqlEngineClient';
import { nodeSqlWorker } from '../nodeWorkerShim';
import { FamilyReport, sha256, scaled, type FuzzOptions } from './common';
import { FIXTURES } from './seeds';

/** The query timeout here (the studio's default is 8 s; the rule is the same: cancelled within 2 s of it). */
export const RUNAWAY_TIMEOUT_MS = 1000;
/** How late after its timeout a runaway may end. */
const GRACE_MS = 2000;

/** The runaways over a schema: the largest tables' product and the rest (which need no table). */
export function runaways(schema: SchemaInfo): { name: string; sql: string }[] {
  const big = [...schema.tables].filter((t) => t.kind === 'table').sort((a, b) => b.rowCount - a.rowCount);
  const a = quoteIdent(big[0]!.name);
  const b = quoteIdent((big[1] ?? big[0]!).name);
  const product = Array.from({ length: 10 }, (_, i) => `${i % 2 ? b : a} AS x${i}`).join(', ');
  const long = (n: number) => `printf('%.*c', ${n}, 'a')`;
  const nested = (d: number) => `SELECT ${'(SELECT '.repeat(d)}1${')'.repeat(d)}`;
  return [
    { name: 'cartesian product of the largest tables', sql: `SELECT count(*) FROM ${product}` },
    { name: 'cartesian product, rows returned', sql: `SELECT * FROM ${product}` },
    { name: 'endless WITH RECURSIVE', sql: 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r' },
    { name: 'endless WITH RECURSIVE, ordered', sql: 'WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r ORDER BY random() LIMIT 1' },
    { name: 'doubling strings', sql: "WITH RECURSIVE r(s) AS (SELECT 'ab' UNION ALL SELECT s || s FROM r) SELECT length(s) FROM r" },
    { name: 'randomblob(2e9)', sql: 'SELECT length(randomblob(2e9))' },
    { name: 'randomblob(5e8)', sql: 'SELECT length(randomblob(5e8))' },
    { name: 'zeroblob(1e9) as hex', sql: 'SELECT length(hex(zeroblob(1e9)))' },
    { name: 'huge group_concat', sql: "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT length(group_concat(hex(randomblob(1000)), '')) FROM r" },
    { name: 'subqueries nested 200 deep', sql: nested(200) },
    { name: 'subqueries nested 2,000 deep', sql: nested(2000) },
    { name: 'correlated subquery over a product', sql: `SELECT count(*) FROM ${a} AS p WHERE (SELECT count(*) FROM ${product.split(', ').slice(0, 7).join(', ')} WHERE x0.rowid <> p.rowid) > 0` },
    { name: 'nested IN subqueries over products', sql: `SELECT count(*) FROM ${a} WHERE rowid IN (SELECT x0.rowid FROM ${product.split(', ').slice(0, 4).join(', ')} WHERE x1.rowid IN (SELECT x0.rowid FROM ${product.split(', ').slice(0, 5).join(', ')}))` },
    { name: 'LIKE with many wildcards', sql: `SELECT ${long(1_000_000)} LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%b'` },
    { name: 'LIKE with _ and %', sql: `SELECT ${long(200_000)} LIKE '${'%_'.repeat(40)}b'` },
    { name: 'GLOB with many stars', sql: `SELECT ${long(1_000_000)} GLOB '${'*a'.repeat(30)}b'` },
    { name: 'LIKE over a recursive table', sql: `WITH RECURSIVE r(i, s) AS (SELECT 1, ${long(5000)} UNION ALL SELECT i + 1, s FROM r) SELECT count(*) FROM r WHERE s LIKE '%a%a%a%a%a%b'` },
  ];
}

export async function runawayFuzz(opts: FuzzOptions): Promise<FamilyReport> {
  const report = new FamilyReport('runaway');
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/concert_singer.sqlite`));
  const hash = sha256(bytes);
  const client = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: RUNAWAY_TIMEOUT_MS });
  try {
    await client.open(bytes);
    const schema = await client.schema();
    const state = () => snapshot(client, schema);
    const before = await state();
    const list = runaways(schema);
    // Below scale 1 only the first few (each costs a timeout and a restart).
    for (const r of list.slice(0, Math.min(list.length, scaled(list.length, opts)))) {
      report.inputs++;
      const t0 = performance.now();
      const o = await client.query(r.sql, 10);
      const ms = performance.now() - t0;
      report.count(o.ok ? 'finished' : o.kind === 'timeout' ? 'cancelled' : `refused (${o.kind})`);
      if (ms > RUNAWAY_TIMEOUT_MS + GRACE_MS) report.hang('query', r.name, ms);
      if (!o.ok) report.message('query', r.name, o.error);
      const t1 = performance.now();
      const after = await state();
      report.count('recovery ms (sum)', Math.round(performance.now() - t1));
      if (after !== before) report.crash('database after', r.name, new Error(`the database differs after the query: ${after.slice(0, 300)}`));
      const how = o.ok ? 'finished' : o.kind === 'timeout' ? 'cancelled' : `refused by SQLite (${o.error})`;
      report.count(`${r.name}: ${how} after ${(ms / 1000).toFixed(1)} s`);
    }
  } finally {
    client.dispose();
  }
  if (sha256(bytes) !== hash) report.write('file bytes', 'runaway queries', 'the bytes kept for re-opening changed');
  return report;
}

/** Every table's row count and the schema's text: what "the database comes back intact" checks. */
async function snapshot(client: SqlEngineClient, schema: SchemaInfo): Promise<string> {
  const parts: string[] = [];
  const run = async (sql: string): Promise<QueryOutcome> => client.query(sql, 1000);
  const master = await run('SELECT type, name, sql FROM sqlite_master ORDER BY name');
  parts.push(master.ok ? JSON.stringify(master.result.rows) : `error: ${master.error}`);
  for (const t of schema.tables) {
    const c = await run(`SELECT count(*), total(length(CAST(${quoteIdent(t.columns[0]!.name)} AS TEXT))) FROM ${quoteIdent(t.name)}`);
    parts.push(`${t.name}: ${c.ok ? JSON.stringify(c.result.rows) : c.error}`);
  }
  return parts.join('\n');
}
