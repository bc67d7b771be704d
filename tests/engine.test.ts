import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { dispatchSql } from '../src/workers/sqlDispatch';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { DatabaseOpenError, readOnlyViolation, SqlJsEngine } from '../src/workers/sqljsEngine';
import { nodeSqlWorker } from '../scripts/lib/nodeWorkerShim';
import { fixtureBytes, fixtureEngine } from './helpers';

describe('SqlJsEngine (sql.js adapter)', () => {
  it('runs a query with a row cap and counts every row', async () => {
    const e = await fixtureEngine('concert_singer.sqlite');
    const o = e.query('SELECT * FROM singer ORDER BY Singer_ID', 2);
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    expect(o.result.rows).toHaveLength(2);
    expect(o.result.totalRows).toBe(6);
    expect(o.result.truncated).toBe(true);
    expect(o.result.columns).toContain('Name');
  });

  it('describes the schema: tables, types, keys, row counts, example values', async () => {
    const e = await fixtureEngine('concert_singer.sqlite');
    const s = e.schema();
    const sic = s.tables.find((t) => t.name === 'singer_in_concert')!;
    expect(sic.rowCount).toBe(10);
    expect(sic.primaryKey).toEqual(['concert_ID', 'Singer_ID']);
    expect(sic.foreignKeys).toContainEqual({ from: 'Singer_ID', table: 'singer', to: 'Singer_ID' });
    const singer = s.tables.find((t) => t.name === 'singer')!;
    expect(singer.columns.find((c) => c.name === 'Name')!.examples).toHaveLength(3);
    expect(singer.columns.find((c) => c.name === 'Age')!.type).toBe('INT');
  });

  it('lists generated columns with the others (PRAGMA table_info leaves them out)', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE "Order Items" ("unit price" REAL, qty INT, "total price" REAL GENERATED ALWAYS AS ("unit price" * qty) VIRTUAL, stored REAL AS (qty + 1) STORED)');
    db.run('INSERT INTO "Order Items" ("unit price", qty) VALUES (2.5, 4)');
    const e = new SqlJsEngine(SQL);
    e.open(db.export());
    const t = e.schema().tables[0]!;
    expect(t.columns.map((c) => c.name)).toEqual(['unit price', 'qty', 'total price', 'stored']);
    expect(t.columns[2]!.examples).toEqual([10]);
  });

  it('refuses writes, schema changes and multiple statements, and the data stays as it was', async () => {
    const e = await fixtureEngine('concert_singer.sqlite');
    for (const sql of ['DELETE FROM singer', 'DROP TABLE singer', 'PRAGMA query_only = 0', "ATTACH 'x.db' AS x", 'SELECT 1; DELETE FROM singer']) {
      const o = e.query(sql, 10);
      expect(o.ok, sql).toBe(false);
      if (!o.ok) expect(o.kind).toBe('readonly');
    }
    const sneaky = e.query('WITH x AS (SELECT 1) DELETE FROM singer', 10);
    expect(sneaky.ok).toBe(false);
    const count = e.query('SELECT count(*) FROM singer', 1);
    expect(count.ok && count.result.rows[0]![0]).toBe(6);
    expect(readOnlyViolation('  -- comment\n (SELECT 1)')).toBeNull();
  });

  it('gives clear errors for empty, non-SQLite, truncated and corrupt files, keeping the open database', async () => {
    const e = await fixtureEngine('concert_singer.sqlite');
    const good = fixtureBytes('pets_1.sqlite');
    expect(() => e.open(new Uint8Array())).toThrow(/empty/);
    expect(() => e.open(new TextEncoder().encode('hello world, not sqlite'.repeat(50)))).toThrow(/not a SQLite database/);
    expect(() => e.open(good.subarray(0, 5000))).toThrow(/truncated/);
    const bad = good.slice();
    for (let i = 1024; i < bad.length; i += 3) bad[i] = 0xff;
    expect(() => e.open(bad)).toThrow(DatabaseOpenError);
    const o = e.query('SELECT count(*) FROM singer', 1);
    expect(o.ok && o.result.rows[0]![0]).toBe(6);
  });
});

describe('worker protocol', () => {
  it('answers each request with the matching reply', async () => {
    const engine = new SqlJsEngine(await initSqlJs());
    const opened = dispatchSql(engine, { id: 1, type: 'open', bytes: fixtureBytes('pets_1.sqlite') });
    expect(opened).toMatchObject({ id: 1, type: 'opened' });
    const q = dispatchSql(engine, { id: 2, type: 'query', sql: 'SELECT count(*) FROM Student', maxRows: 5 });
    expect(q).toMatchObject({ id: 2, type: 'query', outcome: { ok: true, result: { rows: [[34]], totalRows: 1 } } });
    const s = dispatchSql(engine, { id: 3, type: 'schema' });
    expect(s.type === 'schema' && s.schema.tables.map((t) => t.name)).toEqual(['Has_Pet', 'Pets', 'Student']);
    const err = dispatchSql(engine, { id: 4, type: 'open', bytes: new Uint8Array([1, 2, 3]) });
    expect(err).toMatchObject({ id: 4, type: 'error' });
    expect(dispatchSql(engine, { id: 5, type: 'close' })).toEqual({ id: 5, type: 'closed' });
  });

  it('cancels a runaway query by replacing the worker, then answers the next query on the re-opened database', async () => {
    const client = new SqlEngineClient({ createWorker: () => nodeSqlWorker(), queryTimeoutMs: 1500 });
    await client.open(fixtureBytes('concert_singer.sqlite'));
    const t0 = Date.now();
    const runaway = await client.query('WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r', 1);
    expect(runaway).toMatchObject({ ok: false, kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(client.restarts).toBe(1);
    const after = await client.query('SELECT count(*) FROM singer', 1);
    expect(after.ok && after.result.rows[0]![0]).toBe(6);
    client.dispose();
  });
});
