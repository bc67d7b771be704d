/**
 * Step reuse: the SQL that runs step `index` of a chain when some earlier steps' rows are already materialized (in
 * TEMP tables of the engine's connection, src/workers/sqljsEngine.ts). Each such step's CTE becomes
 * `name AS (SELECT * FROM temp."table")`, so the step being run reads its inputs instead of computing them again; the
 * step itself keeps its own SQL. A step's rows are identified by its plain prefix SQL (`stepPrefixSql`), which
 * holds the text of the step and of every step before it.
 */
import { printCoCTE, stepPrefixSql } from './cocte';
import { quoteIdent } from './sqlLexer';
import type { Trajectory } from './types';

/** The identity of step `index`'s rows: its plain prefix SQL. */
export const stepKey = stepPrefixSql;

/** Whether a chain's steps may read materialized rows: not a `WITH RECURSIVE` chain (a step may read itself). */
export function canReuse(t: Trajectory): boolean {
  return !t.recursive;
}

/**
 * Step `index`'s query (`SELECT * FROM sN`, or the final query when `index` is `steps.length`) in which every earlier
 * step `j` with `tableOf(j)` reads that table. `limit` caps the rows of a step's query (not the final query's).
 */
export function reusingSql(t: Trajectory, index: number, tableOf: (j: number) => string | undefined, limit?: number): string {
  const last = Math.min(index, t.steps.length - 1);
  const steps = t.steps.slice(0, last + 1).map((s, j) => {
    const table = j < index ? tableOf(j) : undefined;
    const base = { name: s.name, note: '', ...(s.columns ? { columns: s.columns } : {}) };
    return table ? { ...base, sql: `SELECT * FROM temp.${quoteIdent(table)}` } : { ...base, sql: s.sql, ...(s.materialized ? { materialized: s.materialized } : {}) };
  });
  const final = index >= t.steps.length ? t.final.sql : `SELECT * FROM ${t.steps[index]!.name}${limit !== undefined ? ` LIMIT ${limit}` : ''}`;
  return printCoCTE({ steps, final: { sql: final, note: '' } });
}
