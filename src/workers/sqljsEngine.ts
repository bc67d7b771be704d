/**
 * The sql.js adapter: the only file that talks to sql.js. Used inside the engine worker (browser) and directly by
 * Node scripts and tests. Swapping the SQL engine means rewriting this file only.
 *
 * Safety: the database is an in-memory copy of the user's bytes (the file itself is never written), opened with
 * `PRAGMA query_only = 1`, and only read statements (SELECT / WITH / VALUES / EXPLAIN) are accepted.
 */
import type { Database, SqlJsStatic } from 'sql.js';
import { firstKeyword, lex, quoteIdent, significant } from '../core/sqlLexer';
import type { ColumnInfo, ForeignKeyInfo, QueryOutcome, SchemaInfo, SqlValue, TableInfo } from '../core/types';

const SQLITE_HEADER = 'SQLite format 3\u0000';
const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN']);
const EXAMPLES_PER_COLUMN = 3;

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
    return this.db?.export() ?? null;
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  close(): void {
    this.db?.close();
    this.db = null;
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

  /** Tables and views with columns, keys, row counts and a few example values. */
  schema(): SchemaInfo {
    const db = this.db;
    if (!db) return { tables: [] };
    const objects = rowsOf(db, "SELECT name, type FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY type, name");
    const tables: TableInfo[] = objects.map(([name, type]) => this.tableInfo(db, String(name), type === 'view' ? 'view' : 'table'));
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
