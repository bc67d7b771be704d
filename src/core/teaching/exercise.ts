/**
 * Exercises: a question over one of the bundled sample databases, the correct query, and the reference chain the
 * decomposer made from it (checked equivalent by execution when the set was built). The hint of each reference step
 * is that step's note.
 */
import { parseCoCTE, stepPrefixSql } from '../cocte';
import { ordersResult, queryShape } from '../sqlAst';
import type { Trajectory } from '../types';

export type Level = 1 | 2 | 3 | 4;

export const LEVELS: { level: Level; title: string; about: string }[] = [
  { level: 1, title: 'One table', about: 'filter, project, sort or count the rows of one table' },
  { level: 2, title: 'Joins', about: 'combine tables, then filter and project' },
  { level: 3, title: 'Grouping', about: 'GROUP BY and HAVING, with or without joins' },
  { level: 4, title: 'Nesting and set operations', about: 'subqueries, nested aggregates, UNION / INTERSECT / EXCEPT' },
];

export interface Exercise {
  /** Stable id used in links (`?exercise=<id>`) and in the progress store. */
  id: string;
  /** The sample database (`SAMPLES` id in src/state/samples.ts). */
  db: string;
  level: Level;
  question: string;
  /** A correct query. */
  query: string;
  /** The reference chain as CoCTE text, with one note per step. */
  chain: string;
  /** Where the question comes from. */
  source: 'spider-dev' | 'hand-written';
}

/** A step of the reference chain as the learner may see it: its note (the hint) and its SQL (the shown step). */
export interface ReferenceStep {
  name: string;
  note: string;
  sql: string;
  /** The SQL that shows this step's rows on its own (the final query for the last step). */
  prefixSql: string;
}

/** The level of a query from its shape: set operations or subqueries 4, GROUP BY 3, a join 2, one table 1. */
export function levelOf(sql: string): Level {
  const s = queryShape(sql);
  if (s.setOperation || s.subquery) return 4;
  if (s.groupBy) return 3;
  if (s.join) return 2;
  return 1;
}

export function referenceTrajectory(ex: Exercise): Trajectory {
  return parseCoCTE(ex.chain).trajectory;
}

/** The reference steps, the final query last. */
export function referenceSteps(ex: Exercise): ReferenceStep[] {
  const t = referenceTrajectory(ex);
  return [
    ...t.steps.map((s, i) => ({ name: s.name, note: s.note, sql: s.sql, prefixSql: stepPrefixSql(t, i) })),
    { name: 'final', note: t.final.note, sql: t.final.sql, prefixSql: stepPrefixSql(t, t.steps.length) },
  ];
}

/** Whether the exercise's answer must come in the reference's row order. */
export function exerciseOrdered(ex: Exercise): boolean {
  return ordersResult(ex.query);
}

/** What the editor holds when an exercise opens: the question as a comment, and how to write the steps. */
export function starterText(ex: Exercise): string {
  return `-- ${ex.question.replace(/\s+/g, ' ')}\n-- Write your steps: WITH s1 AS (SELECT …), s2 AS (SELECT … FROM s1) SELECT … FROM s2\n`;
}

/** The next reference step to reveal: the first one at or after `reached` not yet in `shown`; null when none is left. */
export function nextToReveal(count: number, reached: number, shown: number[]): number | null {
  for (let k = Math.min(reached, count - 1); k < count; k++) if (!shown.includes(k)) return k;
  return null;
}
