/**
 * Every setting of teaching mode in one place: the exercise script (`npm run exercises`), the exercise-set check,
 * the step matcher and the studio's practice flow all read them from here.
 */
export interface TeachingSettings {
  /** Rows kept of each step result that is compared (the studio's ROW_CAP); a step with more cannot be compared. */
  rowCap: number;
  /** Example rows or values quoted in a piece of feedback. */
  examples: number;
  /** A learner column and a reference column correspond when this share of the smaller one's distinct values is in both. */
  columnOverlap: number;
  /** Column pairings tried when two columns hold the same values (equal rows up to column order). */
  maxPermutations: number;
  /** The exercise script keeps a query only when its result has at least 1 and at most this many rows. */
  maxResultRows: number;
  /** The exercise script takes at most this many Spider questions per database and level. */
  spiderPerDbLevel: number;
  /** The set must hold at least this many exercises per level (checked by the script and the unit test). */
  minPerLevel: number;
  /** The IndexedDB database that keeps progress. */
  progressDb: string;
}

export function teachingSettings(): TeachingSettings {
  return {
    rowCap: 10_000,
    examples: 3,
    columnOverlap: 0.5,
    maxPermutations: 256,
    maxResultRows: 500,
    spiderPerDbLevel: 6,
    minPerLevel: 15,
    progressDb: 'cocte-teaching',
  };
}
