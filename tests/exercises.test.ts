/**
 * The exercise-set check: every bundled exercise's reference chain runs step by step on its sample database and
 * returns the exercise query's result; the set has enough exercises per level, unique ids, and a note per step.
 */
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { checkExercise } from '../src/core/teaching/checkExercise';
import { exerciseOrdered, levelOf, LEVELS, referenceSteps } from '../src/core/teaching/exercise';
import { EXERCISES } from '../src/core/teaching/exerciseSet';
import { assessChain } from '../src/core/teaching/practice';
import { teachingSettings } from '../src/core/teaching/settings';
import { sampleEngines } from '../scripts/lib/sampleEngines';

const SQL = await initSqlJs();
const engines = sampleEngines(SQL);

describe('exercise set', () => {
  it(`has at least ${teachingSettings().minPerLevel} exercises per level, unique ids, on bundled samples`, () => {
    for (const l of LEVELS) expect(EXERCISES.filter((e) => e.level === l.level).length).toBeGreaterThanOrEqual(teachingSettings().minPerLevel);
    expect(EXERCISES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(EXERCISES.map((e) => e.id)).size).toBe(EXERCISES.length);
    for (const e of EXERCISES) {
      expect(engines.has(e.db), e.id).toBe(true);
      expect(e.level, e.id).toBe(levelOf(e.query));
      expect(e.question.length, e.id).toBeGreaterThan(10);
    }
  });

  it('every reference chain runs and equals its query', () => {
    const failures = EXERCISES.map((e) => {
      const engine = engines.get(e.db)!;
      const why = checkExercise(e, (sql, maxRows) => engine.query(sql, maxRows));
      return why ? `${e.id}: ${why}` : null;
    }).filter(Boolean);
    expect(failures).toEqual([]);
  });

  it('every reference chain, entered as the answer, matches itself step by step and solves its exercise', () => {
    for (const e of EXERCISES) {
      const engine = engines.get(e.db)!;
      const ref = referenceSteps(e).map((s) => ({ sql: s.sql, outcome: engine.query(s.prefixSql, teachingSettings().rowCap) }));
      const a = assessChain(ref, ref, exerciseOrdered(e));
      expect(a.solved, e.id).toBe(true);
      expect(a.reached, e.id).toBe(ref.length);
    }
  });
});
