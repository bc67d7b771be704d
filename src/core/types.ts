/** Shared value types for the CoCTE core. Pure TypeScript: no DOM, no React. */

/** A value as sql.js returns it. */
export type SqlValue = number | string | Uint8Array | null;

/** One named CTE of a CoCTE chain. */
export interface Step {
  /** CTE name, e.g. `s1` or `singers_over_30`. */
  name: string;
  /** The SELECT inside `name AS ( … )`, without the parentheses. */
  sql: string;
  /** One-line plain-English note ('' when none). Printed as a `-- note` comment above the CTE. */
  note: string;
  /** Optional column list as written: `name(a, b) AS (…)`. */
  columns?: string;
  /** `MATERIALIZED` or `NOT MATERIALIZED` when written. */
  materialized?: string;
}

/** A CoCTE chain: ordered CTE steps, then the final SELECT that reads them. */
export interface Trajectory {
  steps: Step[];
  final: { sql: string; note: string };
  /** `WITH RECURSIVE`. */
  recursive?: boolean;
}

/** Result of one query, capped at `maxRows` rows; `totalRows` counts every row. */
export interface QueryResult {
  columns: string[];
  rows: SqlValue[][];
  totalRows: number;
  truncated: boolean;
  elapsedMs: number;
}

/** Outcome of running one query: a result, or an error message. */
export type QueryOutcome =
  | { ok: true; result: QueryResult }
  | { ok: false; error: string; kind: 'sql' | 'timeout' | 'readonly' | 'engine' };

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  /** 1-based position in the primary key, 0 when not part of it. */
  pk: number;
  /** A few distinct non-null example values. */
  examples: SqlValue[];
}

export interface ForeignKeyInfo {
  from: string;
  table: string;
  to: string;
}

export interface TableInfo {
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
  rowCount: number;
}

export interface SchemaInfo {
  tables: TableInfo[];
}
