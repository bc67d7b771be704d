/**
 * The sql.js adapter: the only file that talks to sql.js. Used inside the engine worker (browser) and directly by
 * Node scripts and tests. Swapping the SQL engine means rewriting this file only.
 *
 * Safety: the database is an in-memory copy of the user's bytes (the file itself is never written), opened with
 * `PRAGMA query_only = 1`, and only read statements (SELECT / WITH / VALUES / EXPLAIN) are accepted.
 */
import type { Database, SqlJsStatic } from 'sql.js';
import { firstKeyword, lex, quoteIdent, significant } from '../core/sqlLexer';
import { canReuse, reusingSql, stepKey } from '../core/stepReuse';
import { isMemoryError, memoryMessage } from './memoryLimit';
import type { ColumnInfo, ForeignKeyInfo, QueryOutcome, SchemaInfo, SqlValue, TableInfo, Trajectory } from '../core/types';

const SQLITE_HEADER = 'SQLite format 3\u0000';
const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN']);
const EXAMPLES_PER_COLUMN = 3;
/** A step with more rows than this is not materialized: it runs as its plain prefix, as every step did before. */
export const MATERIALIZE_MAX_ROWS = 2_000_000;
/** TEMP table names of materialized steps; a user table of that name in `main` is only shadowed for unqualified reads. */
const SCRATCH_PREFIX = '__cocte_step_';

export class DatabaseOpenError extends Error {}

/** Checks the 16-byte SQLite header and that the file is large enough to hold one page. */
export function checkSqliteBytes(bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw new DatabaseOpenError('The file is empty. Choose a SQLite database file (.sqlite, .db).');
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 16));
  if (head !== SQLITE_HEADER)
    throw new DatabaseOpenError('This is not a SQLite database: the file does not start with the "SQLite format 3" header. Choose a .sqlite or .db file.');
  if (bytes.byteLength < 512) throw new DatabaseOpenError(`The file is truncated: ${bytes.byteLength} bytes is smaller than one SQLite page.`);
  const pageSize = pageSizeOf(bytes);
  const pages = (bytes[28]! << 24) | (bytes[29]! << 16) | (bytes[30]! << 8) | bytes[31]!;
  if (pages > 0 && bytes.byteLength < pages * pageSize)
    throw new DatabaseOpenError(
      `The file is truncated: its header promises ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes), but it has ${bytes.byteLength}.`,
    );
}

function pageSizeOf(bytes: Uint8Array): number {
  const raw = (bytes[16]! << 8) | bytes[17]!;
  return raw === 1 ? 65536 : raw;
}

/** Rejects anything but a single read statement. Returns an error message, or null when the SQL may run. */
export function readOnlyViolation(sql: string): string | null {
  const kw = firstKeyword(sql);
  if (kw === '') return 'The query is empty.';
  if (!READ_KEYWORDS.has(kw)) return `Only read queries run here (SELECT, WITH … SELECT, VALUES, EXPLAIN); "${kw}" would change or leave the database.`;
  const toks = significant(lex(sql));
  const semi = toks.findIndex((t) => t.kind === 'semicolon');
  if (semi >= 0 && toks.slice(semi + 1).some((t) => t.kind !== 'semicolon')) return 'Run one statement at a time: remove the text after the ";".';
  return null;
}

export class SqlJsEngine {
  private db: Database | null = null;
  /** Materialized step rows: step key (its plain prefix SQL, core/stepReuse.ts) -> TEMP table and its row count. */
  private scratch = new Map<string, { table: string; rows: number }>();
  private scratchCount = 0;

  constructor(private readonly SQL: SqlJsStatic) {}

  /** Opens a copy of `bytes`; throws DatabaseOpenError with a user-facing message when the file is not usable. */
  open(bytes: Uint8Array): void {
    checkSqliteBytes(bytes);
    let db: Database | undefined;
    try {
      db = new this.SQL.Database(bytes);
      db.run('PRAGMA query_only = 1');
      const check = db.exec('PRAGMA quick_check(1)');
      const verdict = String(check[0]?.values[0]?.[0] ?? 'ok');
      if (verdict !== 'ok') throw new Error(verdict);
      db.exec('SELECT count(*) FROM sqlite_master');
    } catch (e) {
      db?.close();
      if (isMemoryError(e)) throw new DatabaseOpenError(memoryMessage(bytes.byteLength, e));
      throw new DatabaseOpenError(`The database is corrupt or unreadable: ${message(e)}. Nothing was changed; try another copy of the file.`);
    }
    // Only a database that opened cleanly replaces the current one.
    this.close();
    this.db = db;
  }

  /**
   * The open database as a file (sql.js's export, which copies it with SQLite's backup API), or null when none is
   * open. Two exports of an unchanged database are byte for byte the same, so hashing them shows whether anything
   * changed it (npm run fuzz).
   */
  exportBytes(): Uint8Array | null {
    const db = this.db;
    if (!db) return null;
    // sql.js's export closes and re-opens the connection: TEMP tables are gone and the pragma must be set again.
    const bytes = db.export();
    db.run('PRAGMA query_only = 1');
    this.scratch.clear();
    return bytes;
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.scratch.clear();
  }

  /** Runs one read query; keeps the first `maxRows` rows and counts the rest. Never throws. */
  query(sql: string, maxRows: number): QueryOutcome {
    const db = this.db;
    if (!db) return { ok: false, kind: 'engine', error: 'No database is open.' };
    const violation = readOnlyViolation(sql);
    if (violation) return { ok: false, kind: 'readonly', error: violation };
    const t0 = now();
    try {
      const stmt = db.prepare(sql);
      try {
        const columns = stmt.getColumnNames();
        const rows: SqlValue[][] = [];
        let totalRows = 0;
        while (stmt.step()) {
          if (totalRows < maxRows) rows.push(stmt.get() as SqlValue[]);
          totalRows++;
        }
        return { ok: true, result: { columns, rows, totalRows, truncated: totalRows > rows.length, elapsedMs: now() - t0 } };
      } finally {
        stmt.free();
      }
    } catch (e) {
      const msg = message(e);
      const kind = /readonly|read-only/i.test(msg) ? 'readonly' : 'sql';
      return { ok: false, kind, error: msg };
    }
  }

  /**
   * Runs step `index` of a chain (`steps.length`: the final query) with the same result as its plain prefix query
   * (`WITH s1 … sk SELECT * FROM sk`), but reading the rows of earlier steps that were materialized, so a chain run
   * step by step computes each step once. A step's rows are materialized into a TEMP table of this connection (the
   * `temp` schema, never `main`: the user's database is not modified; `PRAGMA query_only` is lifted for that one
   * statement only, whose SELECT part passed `readOnlyViolation`). Only the chain passed last keeps its tables.
   * Anything unusual (a recursive chain, a step over MATERIALIZE_MAX_ROWS rows, an error) runs the plain prefix
   * query, so errors read exactly as before.
   */
  queryStep(t: Trajectory, index: number, maxRows: number): QueryOutcome {
    const plain = stepKey(t, index);
    const db = this.db;
    if (!db || !canReuse(t) || readOnlyViolation(plain)) return this.query(plain, maxRows);
    const keys = t.steps.map((_, j) => stepKey(t, j));
    this.keepScratch(new Set(keys));
    const tableOf = (j: number) => this.scratch.get(keys[j]!)?.table;
    if (index >= t.steps.length) {
      const o = this.query(reusingSql(t, index, tableOf), maxRows);
      return o.ok ? o : this.query(plain, maxRows);
    }
    const t0 = now();
    let made = this.scratch.get(plain);
    if (!made) {
      made = this.materialize(reusingSql(t, index, tableOf, MATERIALIZE_MAX_ROWS + 1)) ?? undefined;
      if (!made) return this.query(plain, maxRows);
      this.scratch.set(plain, made);
    }
    const read = this.query(`SELECT * FROM temp.${quoteIdent(made.table)} LIMIT ${Math.max(0, Math.floor(maxRows))}`, maxRows);
    if (!read.ok) return this.query(plain, maxRows);
    return { ok: true, result: { ...read.result, totalRows: made.rows, truncated: made.rows > read.result.rows.length, elapsedMs: now() - t0 } };
  }

  /** Creates a TEMP table holding the rows of `select` (a checked read query); null when it fails or has too many rows. */
  private materialize(select: string): { table: string; rows: number } | null {
    const db = this.db!;
    if (readOnlyViolation(select)) return null;
    const table = `${SCRATCH_PREFIX}${++this.scratchCount}`;
    const q = `temp.${quoteIdent(table)}`;
    try {
      db.run('PRAGMA query_only = 0');
      // prepare + step runs exactly one statement (db.run/exec would run every statement of a text).
      const stmt = db.prepare(`CREATE TEMP TABLE ${quoteIdent(table)} AS ${select.replace(/[;\s]+$/, '')}`);
      try {
        stmt.step();
      } finally {
        stmt.free();
      }
    } catch {
      return null;
    } finally {
      db.run('PRAGMA query_only = 1');
    }
    // A new table's rowids run 1..n in insertion order: its largest rowid is its row count, without a scan.
    const rows = Number(safeRows(db, `SELECT coalesce(max(rowid), 0) FROM ${q}`)[0]?.[0]);
    if (Number.isFinite(rows) && rows <= MATERIALIZE_MAX_ROWS) return { table, rows };
    this.dropScratch(table);
    return null;
  }

  /** Drops every materialized step (the next chain computes its steps again). */
  forgetSteps(): void {
    if (this.db) this.keepScratch(new Set());
  }

  /** Drops the materialized steps whose keys are not in `keep`. */
  private keepScratch(keep: Set<string>): void {
    for (const [key, made] of [...this.scratch]) {
      if (keep.has(key)) continue;
      this.scratch.delete(key);
      this.dropScratch(made.table);
    }
  }

  private dropScratch(table: string): void {
    const db = this.db!;
    try {
      db.run('PRAGMA query_only = 0');
      db.run(`DROP TABLE IF EXISTS temp.${quoteIdent(table)}`);
    } catch {
      // A table that cannot be dropped stays until the database is closed.
    } finally {
      db.run('PRAGMA query_only = 1');
    }
  }

  /** Tables and views with columns, keys, row counts and a few example values; `onTable` hears each table done. */
  schema(onTable?: (done: number, total: number) => void): SchemaInfo {
    const db = this.db;
    if (!db) return { tables: [] };
    const objects = rowsOf(db, "SELECT name, type FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY type, name");
    const tables: TableInfo[] = objects.map(([name, type], i) => {
      const info = this.tableInfo(db, String(name), type === 'view' ? 'view' : 'table');
      onTable?.(i + 1, objects.length);
      return info;
    });
    return { tables };
  }

  private tableInfo(db: Database, name: string, kind: 'table' | 'view'): TableInfo {
    const q = quoteIdent(name);
    // table_xinfo, not table_info: it also lists generated columns (hidden 2 and 3); hidden 1 are a virtual table's
    // hidden columns, which `SELECT *` does not show either.
    const info = safeRows(db, `PRAGMA table_xinfo(${q})`).filter((r) => r[6] !== 1);
    const columns: ColumnInfo[] = info.map((r) => {
      const col = String(r[1]);
      return {
        name: col,
        type: String(r[2] ?? ''),
        notNull: r[3] === 1,
        pk: Number(r[5] ?? 0),
        // Views are computed on every read, so they get no example values and no row count.
        examples:
          kind === 'view'
            ? []
            : safeRows(db, `SELECT DISTINCT ${quoteIdent(col)} FROM ${q} WHERE ${quoteIdent(col)} IS NOT NULL LIMIT ${EXAMPLES_PER_COLUMN}`).map(
                (x) => x[0] as SqlValue,
              ),
      };
    });
    const primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const foreignKeys: ForeignKeyInfo[] = safeRows(db, `PRAGMA foreign_key_list(${q})`).map((r) => ({
      table: String(r[2]),
      from: String(r[3]),
      to: r[4] == null ? '' : String(r[4]),
    }));
    const count = kind === 'view' ? -1 : safeRows(db, `SELECT count(*) FROM ${q}`)[0]?.[0];
    return { name, kind, columns, primaryKey, foreignKeys, rowCount: typeof count === 'number' ? count : -1 };
  }
}

function rowsOf(db: Database, sql: string): SqlValue[][] {
  return (db.exec(sql)[0]?.values ?? []) as SqlValue[][];
}

function safeRows(db: Database, sql: string): SqlValue[][] {
  try {
    return rowsOf(db, sql);
  } catch {
    return [];
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
