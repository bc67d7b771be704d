/**
 * Database-file fuzz: what a person might drop on the studio instead of a sound SQLite file. Every fixture database
 * (tests/fixtures/*.sqlite) cut at every page boundary and in the middle of every page, copies with bytes flipped
 * (in the 100-byte header, in b-tree page headers, anywhere, a run overwritten, a single bit), and files that are no
 * SQLite database or an unusual one: an empty database, a ZIP (empty, and one holding a database), a PNG, a text
 * file, an HTML page, a gzip file, a 0-byte file, a WAL-mode database, a database with a freelist, page sizes of 512
 * and 65,536 bytes. Each is opened through the worker dispatcher (sqlDispatch.ts) on the real engine: it opens (and
 * its schema and tables read, or fail with a clear message) or is refused with a clear message, and then the engine
 * still works: the database it had open before a refusal still answers, and a good database opens and answers.
 */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type { SqlJsStatic } from 'sql.js';
import { quoteIdent } from '../../../src/core/sqlLexer';
import { SqlJsEngine } from '../../../src/workers/sqljsEngine';
import { sqlJs } from '../spider';
import { FamilyReport, Rng, scaled, type FuzzOptions, dispatcher } from './common';
import { fixtureDatabases } from './seeds';

/** Files with flipped bytes at scale 1, over all fixtures together. */
export const FLIPPED_FILES = 2000;
/** Tables read from a damaged database that opened. */
const TABLES_READ = 8;

interface Damaged {
  name: string;
  bytes: Uint8Array;
}

export async function dbFileFuzz(opts: FuzzOptions): Promise<FamilyReport> {
  const report = new FamilyReport('files');
  const rng = new Rng(opts.seed + 1);
  const SQL = await sqlJs();
  const engine = new SqlJsEngine(SQL);
  const fixtures = [...fixtureDatabases()].map(([name, path]) => ({ name, bytes: new Uint8Array(readFileSync(path)) }));
  const good = fixtures[0]!;
  // The answer every check of "the engine still works" expects.
  const probe = 'SELECT count(*) FROM sqlite_master';
  engine.open(good.bytes);
  const rowsOf = (o: ReturnType<SqlJsEngine['query']>) => JSON.stringify(o.ok ? o.result.rows : o);
  const expected = rowsOf(engine.query(probe, 1));

  const ask = dispatcher(engine);
  const works = (label: string, name: string) => {
    const now = ask({ type: 'query', sql: probe, maxRows: 1 });
    const got = now.type === 'query' ? rowsOf(now.outcome) : JSON.stringify(now);
    if (got !== expected) report.crash(label, name, new Error(`the engine no longer answers: ${got}`));
  };

  const files: Damaged[] = [...special(SQL, good.bytes)];
  const perFixture = Math.ceil(scaled(FLIPPED_FILES, opts) / fixtures.length);
  for (const f of fixtures) {
    files.push(...truncations(f.name, f.bytes));
    for (let i = 0; i < perFixture; i++) files.push(flipped(rng, f.name, f.bytes));
  }

  for (const file of files) {
    report.inputs++;
    const opened = report.run('open', file.name, () => ask({ type: 'open', bytes: file.bytes }));
    if (!('value' in opened)) continue;
    const reply = opened.value;
    if (reply.type === 'error') {
      report.count('refused');
      report.message('open', file.name, reply.error);
      // A refused file leaves the database that was open before it.
      works('previous database after a refusal', file.name);
      continue;
    }
    report.count(file.name.startsWith('special:') ? `opened ${file.name}` : 'opened');
    readAll(report, file.name, ask);
    const reopened = ask({ type: 'open', bytes: good.bytes });
    if (reopened.type !== 'opened') report.crash('open a good database after', file.name, new Error(JSON.stringify(reopened)));
    works('good database after', file.name);
  }
  engine.close();
  return report;
}

/** Reads the schema and a few rows of each table of a database that opened; every error must be clear. */
function readAll(report: FamilyReport, name: string, ask: ReturnType<typeof dispatcher>): void {
  const schema = report.run('schema', name, () => ask({ type: 'schema' }));
  if (!('value' in schema)) return;
  if (schema.value.type === 'error') {
    report.count('schema unreadable');
    report.message('schema', name, schema.value.error);
    return;
  }
  if (schema.value.type !== 'schema') return;
  for (const t of schema.value.schema.tables.slice(0, TABLES_READ)) {
    for (const sql of [`SELECT * FROM ${quoteIdent(t.name)} LIMIT 20`, `SELECT count(*) FROM ${quoteIdent(t.name)}`]) {
      const q = report.run('query', `${name}: ${sql}`, () => ask({ type: 'query', sql, maxRows: 20 }));
      if (!('value' in q)) continue;
      const r = q.value;
      if (r.type === 'query' && !r.outcome.ok) {
        report.count('query on an opened file fails');
        report.message('query', `${name}: ${sql}`, r.outcome.error);
      } else if (r.type === 'error') report.message('query', `${name}: ${sql}`, r.error);
    }
  }
}

function pageSizeOf(bytes: Uint8Array): number {
  const raw = (bytes[16]! << 8) | bytes[17]!;
  return raw === 1 ? 65536 : raw;
}

/** The database cut at every page boundary (0 bytes included) and in the middle of every page. */
function truncations(name: string, bytes: Uint8Array): Damaged[] {
  const ps = pageSizeOf(bytes);
  const out: Damaged[] = [];
  for (let at = 0; at < bytes.length; at += ps) {
    out.push({ name: `${name} cut at ${at}`, bytes: bytes.slice(0, at) });
    out.push({ name: `${name} cut at ${at + ps / 2}`, bytes: bytes.slice(0, at + ps / 2) });
  }
  return out;
}

/** A copy with some bytes changed, in one of five ways. */
function flipped(rng: Rng, name: string, bytes: Uint8Array): Damaged {
  const b = bytes.slice();
  const ps = pageSizeOf(bytes);
  const pages = Math.floor(b.length / ps);
  const mode = rng.int(5);
  const changed: number[] = [];
  const set = (i: number, v: number) => {
    b[i] = v;
    changed.push(i);
  };
  if (mode === 0) for (let k = rng.range(1, 3); k > 0; k--) set(rng.int(100), rng.int(256));
  else if (mode === 1) {
    // A b-tree page header: 8 or 12 bytes at the start of a page (after the file header on page 1).
    const page = rng.int(pages);
    for (let k = rng.range(1, 2); k > 0; k--) set(page * ps + (page === 0 ? 100 : 0) + rng.int(12), rng.int(256));
  } else if (mode === 2) for (let k = rng.range(1, 16); k > 0; k--) set(rng.int(b.length), rng.int(256));
  else if (mode === 3) {
    const at = rng.int(b.length);
    const fill = rng.pick([0x00, 0xff, -1]);
    for (let i = at; i < Math.min(b.length, at + rng.range(4, 64)); i++) set(i, fill < 0 ? rng.int(256) : fill);
  } else {
    const i = rng.int(b.length);
    set(i, b[i]! ^ (1 << rng.int(8)));
  }
  const kinds = ['header', 'page header', 'anywhere', 'run', 'bit'];
  return { name: `${name} ${kinds[mode]} flip at ${changed.slice(0, 4).join(',')}${changed.length > 4 ? '…' : ''}`, bytes: b };
}

/** Files that are not SQLite databases, or unusual ones. */
function special(SQL: SqlJsStatic, good: Uint8Array): Damaged[] {
  const text = (s: string) => new TextEncoder().encode(s);
  const db = (setup: string, pageSize?: number) => {
    const d = new SQL.Database();
    if (pageSize) d.run(`PRAGMA page_size = ${pageSize}`);
    d.run(setup);
    const bytes = d.export();
    d.close();
    return bytes;
  };
  const wal = good.slice();
  wal[18] = 2; // file format write version 2: WAL
  wal[19] = 2;
  const withFreelist = db(
    'CREATE TABLE big(x); WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 200) INSERT INTO big SELECT randomblob(600) FROM r; ' +
      'CREATE TABLE kept(a INTEGER PRIMARY KEY, b TEXT); INSERT INTO kept VALUES (1, \'one\'); DROP TABLE big;',
  );
  const png = new Uint8Array(1024);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const files: [string, Uint8Array][] = [
    ['empty database', db('PRAGMA user_version = 1')],
    ['0-byte file', new Uint8Array(0)],
    ['empty ZIP', Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)])],
    ['ZIP holding a database', zipStored('db.sqlite', good)],
    ['PNG', png],
    ['text file', text('id,name,age\n1,Ann,31\n2,Bob,42\n'.repeat(40))],
    ['HTML page', text(`<!DOCTYPE html><html><body><h1>404 Not Found</h1>${'<p>x</p>'.repeat(100)}</body></html>`)],
    ['gzip of a database', new Uint8Array(gzipSync(good))],
    ['SQLite header then garbage', Uint8Array.from([...text('SQLite format 3\u0000'), ...new Array<number>(4080).fill(0x41)])],
    ['WAL-mode database', wal],
    ['database with a freelist', withFreelist],
    ['page size 512', db("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x')", 512)],
    ['page size 65536', db("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x')", 65536)],
  ];
  return files.map(([name, bytes]) => ({ name: `special: ${name}`, bytes }));
}

/** A ZIP archive holding one file, stored without compression. */
function zipStored(name: string, data: Uint8Array): Uint8Array {
  const n = new TextEncoder().encode(name);
  const crc = crc32(data);
  const u16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const local = [...u32(0x04034b50), ...u16(20), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(crc), ...u32(data.length), ...u32(data.length), ...u16(n.length), ...u16(0)];
  const central = [
    ...u32(0x02014b50), ...u16(20), ...u16(20), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(crc), ...u32(data.length), ...u32(data.length),
    ...u16(n.length), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(0),
  ];
  const centralAt = local.length + n.length + data.length;
  const end = [...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(1), ...u16(1), ...u32(central.length + n.length), ...u32(centralAt), ...u16(0)];
  return Uint8Array.from([...local, ...n, ...data, ...central, ...n, ...end]);
}

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
