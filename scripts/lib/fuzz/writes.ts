/**
 * Write attempts: statements that would change the database or reach beyond it (INSERT, UPDATE, DELETE, DROP,
 * CREATE, ALTER, ATTACH, VACUUM INTO, writing PRAGMAs, load_extension, transactions, CTEs with DML, RETURNING, and
 * each hidden after a comment, a string, a semicolon or leading parentheses), sent to the real engine both through
 * the worker dispatcher in this process and through the worker client (a Node worker, as the studio's Web Worker).
 * Every one must be refused with a clear message; EXPLAIN of a write may run (it only describes the statement).
 * The database's exported bytes are hashed after opening and again after the whole suite, and every table is counted
 * before and after: a refusal that let a change through shows there as a write.
 */
import { readFileSync } from 'node:fs';
import { quoteIdent } from '../../../src/core/sqlLexer';
import type { QueryOutcome } from '../../../src/core/types';
import { dispatchSql } from '../../../src/workers/sqlDispatch';
import { SqlEngineClient } from '../../../src/workers/sqlEngineClient';
import { SqlJsEngine } from '../../../src/workers/sqljsEngine';
import { nodeSqlWorker } from '../nodeWorkerShim';
import { sqlJs } from '../spider';
import { FamilyReport, sha256, type FuzzOptions, dispatcher } from './common';
import { FIXTURES } from './seeds';

const WRITES = [
  "INSERT INTO singer (Singer_ID, Name) VALUES (99, 'x')",
  "INSERT OR REPLACE INTO singer (Singer_ID, Name) VALUES (1, 'x')",
  "REPLACE INTO singer (Singer_ID, Name) VALUES (1, 'x')",
  "INSERT INTO singer (Singer_ID, Name) VALUES (1, 'x') ON CONFLICT DO UPDATE SET Name = 'y'",
  'INSERT INTO singer DEFAULT VALUES RETURNING *',
  'UPDATE singer SET Age = 0',
  'UPDATE singer SET Age = Age + 1 WHERE 1 RETURNING *',
  'DELETE FROM singer',
  'DELETE FROM singer RETURNING *',
  'DROP TABLE singer',
  'DROP TABLE IF EXISTS concert',
  'DROP INDEX IF EXISTS sqlite_autoindex_singer_1',
  'CREATE TABLE x (a)',
  'CREATE TEMP TABLE x (a)',
  'CREATE INDEX ix ON singer (Age)',
  'CREATE VIEW v AS SELECT 1',
  'CREATE TRIGGER tr AFTER INSERT ON singer BEGIN DELETE FROM singer; END',
  'CREATE VIRTUAL TABLE f USING fts5 (a)',
  'ALTER TABLE singer ADD COLUMN z',
  'ALTER TABLE singer RENAME TO s2',
  "ATTACH ':memory:' AS m",
  "ATTACH 'file:other.db' AS o",
  "ATTACH DATABASE '/tmp/cocte-fuzz.db' AS o",
  'DETACH DATABASE main',
  'VACUUM',
  "VACUUM INTO '/tmp/cocte-fuzz-copy.db'",
  'REINDEX',
  'ANALYZE',
  'BEGIN; DELETE FROM singer; COMMIT',
  'BEGIN IMMEDIATE',
  'SAVEPOINT a',
  'COMMIT',
  'PRAGMA query_only = 0',
  'PRAGMA query_only = OFF; DELETE FROM singer',
  'PRAGMA writable_schema = 1',
  'PRAGMA user_version = 5',
  'PRAGMA journal_mode = WAL',
  'PRAGMA page_size = 1024',
  'PRAGMA foreign_keys = OFF',
  'PRAGMA secure_delete = 1',
  'PRAGMA main.application_id = 7',
  "SELECT load_extension('/usr/lib/x.so')",
  "SELECT load_extension('x', 'init')",
  "SELECT * FROM pragma_journal_mode('wal')",
  "SELECT writefile('/tmp/cocte-fuzz.txt', 'x')",
  'WITH x AS (SELECT 1) DELETE FROM singer',
  'WITH x AS (SELECT 1) INSERT INTO singer (Singer_ID) SELECT 100 FROM x',
  'WITH x AS (SELECT 1) UPDATE singer SET Age = 1',
  'WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3) DELETE FROM singer WHERE Singer_ID IN r',
  'WITH d AS (DELETE FROM singer RETURNING *) SELECT * FROM d',
  'SELECT 1; DELETE FROM singer',
  'SELECT 1;DROP TABLE singer;',
  'SELECT 1 -- comment\n; DELETE FROM singer',
  "SELECT ';'; DELETE FROM singer",
  'SELECT 1 /* ; */; UPDATE singer SET Age = 0',
  'VALUES (1); DROP TABLE singer',
  'EXPLAIN SELECT 1; DELETE FROM singer',
  '-- SELECT\nDELETE FROM singer',
  '/* SELECT */ DELETE FROM singer',
  '/* unterminated SELECT DELETE FROM singer',
  '(DELETE FROM singer)',
  ' \n\t DELETE FROM singer',
  '\ufeffDELETE FROM singer',
  'delete from singer',
  'SELECT * FROM singer; PRAGMA query_only = 0; DELETE FROM singer',
];

/** Statements that may run, since they only describe a write; they must still leave the data as it was. */
const DESCRIBE = ['EXPLAIN DELETE FROM singer', 'EXPLAIN QUERY PLAN UPDATE singer SET Age = 0', 'EXPLAIN INSERT INTO singer DEFAULT VALUES'];

export async function writeFuzz(_opts: FuzzOptions): Promise<FamilyReport> {
  const report = new FamilyReport('writes');
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/concert_singer.sqlite`));
  const fileHash = sha256(bytes);
  const engine = new SqlJsEngine(await sqlJs());
  const ask = dispatcher(engine);
  ask({ type: 'open', bytes });
  const before = sha256(engine.exportBytes()!);
  const counts = () => tableCounts((sql) => engine.query(sql, 1000));
  const countsBefore = await counts();
  const client = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: 5000 });
  try {
    await client.open(bytes);
    const clientBefore = await tableCounts((sql) => client.query(sql, 1000));
    for (const sql of WRITES) {
      report.inputs++;
      for (const [path, outcome] of [
        ['dispatcher', dispatchOutcome(ask({ type: 'query', sql, maxRows: 10 }))],
        ['worker client', await client.query(sql, 10)],
      ] as const) {
        if (outcome.ok) report.write(path, sql, `ran: ${outcome.result.totalRows} rows`);
        else {
          report.count(`refused (${outcome.kind})`);
          report.message(path, sql, outcome.error);
        }
      }
    }
    for (const sql of DESCRIBE) {
      report.inputs++;
      const o = dispatchOutcome(ask({ type: 'query', sql, maxRows: 10 }));
      report.count(o.ok ? 'described' : 'describe refused');
      if (!o.ok) report.message('dispatcher', sql, o.error);
    }
    const clientAfter = await tableCounts((sql) => client.query(sql, 1000));
    if (clientAfter !== clientBefore) report.write('worker client', 'the whole suite', `table counts ${clientBefore} -> ${clientAfter}`);
  } finally {
    client.dispose();
  }
  const after = sha256(engine.exportBytes()!);
  const countsAfter = await counts();
  if (after !== before) report.write('dispatcher', 'the whole suite', `exported bytes' SHA-256 ${before} -> ${after}`);
  if (countsAfter !== countsBefore) report.write('dispatcher', 'the whole suite', `table counts changed`);
  if (sha256(bytes) !== fileHash) report.write('file bytes', 'the whole suite', 'the bytes given to the engine changed');
  const readOnly = engine.query('SELECT * FROM pragma_query_only', 1);
  if (!readOnly.ok || readOnly.result.rows[0]?.[0] !== 1) report.write('dispatcher', 'the whole suite', 'query_only is off');
  report.count(`SHA-256 before and after: ${before.slice(0, 16)} ${after.slice(0, 16)}`);
  engine.close();
  return report;
}

function dispatchOutcome(reply: ReturnType<typeof dispatchSql>): QueryOutcome {
  if (reply.type === 'query') return reply.outcome;
  return { ok: false, kind: 'engine', error: reply.type === 'error' ? reply.error : `unexpected reply ${reply.type}` };
}

/** Every table with its row count and the schema's text, as one string. */
async function tableCounts(run: (sql: string) => QueryOutcome | Promise<QueryOutcome>): Promise<string> {
  const master = await run('SELECT type, name, sql FROM sqlite_master ORDER BY name');
  if (!master.ok) return `error: ${master.error}`;
  const parts = [JSON.stringify(master.result.rows)];
  for (const [type, name] of master.result.rows) {
    if (type !== 'table') continue;
    const c = await run(`SELECT count(*) FROM ${quoteIdent(String(name))}`);
    parts.push(`${name}=${c.ok ? c.result.rows[0]![0] : c.error}`);
  }
  return parts.join('\n');
}
