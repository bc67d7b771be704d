/**
 * The check every exercise passes (when the set is built, and in the unit tests): its query runs and returns rows,
 * every reference step runs on its own within the row cap and has a note (its hint), and the reference chain
 * returns the query's result (in order when the query orders it).
 */
import { sameResult } from '../resultCompare';
import type { QueryOutcome } from '../types';
import { exerciseOrdered, referenceSteps, type Exercise } from './exercise';
import { teachingSettings } from './settings';

/** Runs one read query, keeping at most `maxRows` rows (SqlJsEngine.query in Node). */
export type RunSync = (sql: string, maxRows: number) => QueryOutcome;

/** Why the exercise is not usable, or null when it is. */
export function checkExercise(ex: Exercise, run: RunSync): string | null {
  const { rowCap, maxResultRows } = teachingSettings();
  const answer = run(ex.query, rowCap);
  if (!answer.ok) return `the query fails: ${answer.error}`;
  if (answer.result.totalRows === 0) return 'the query returns no rows';
  if (answer.result.totalRows > maxResultRows) return `the query returns ${answer.result.totalRows} rows (over ${maxResultRows})`;
  const steps = referenceSteps(ex);
  for (const [i, s] of steps.entries()) {
    const label = s.name === 'final' ? 'the final query' : `step ${i + 1} (${s.name})`;
    if (!s.note) return `${label} has no note`;
    const out = run(s.prefixSql, rowCap);
    if (!out.ok) return `${label} fails: ${out.error}`;
    if (out.result.truncated) return `${label} has over ${rowCap} rows`;
  }
  const chain = run(steps.at(-1)!.prefixSql, rowCap);
  if (!chain.ok || !sameResult(chain.result.rows, answer.result.rows, exerciseOrdered(ex))) return 'the reference chain does not return the query\'s result';
  return null;
}
