/**
 * Progress on exercises: unseen, tried (the learner's chain ran), solved with hints (a hint or a reference step was
 * shown before the final result matched), solved. An exercise keeps its best state.
 */
import type { Exercise, Level } from './exercise';

export type ProgressState = 'unseen' | 'tried' | 'solved-hints' | 'solved';

export const PROGRESS_LABEL: Record<ProgressState, string> = {
  unseen: 'unseen',
  tried: 'tried',
  'solved-hints': 'solved with hints',
  solved: 'solved',
};

const RANK: Record<ProgressState, number> = { unseen: 0, tried: 1, 'solved-hints': 2, solved: 3 };

/** The better of two states. */
export function bestState(a: ProgressState, b: ProgressState): ProgressState {
  return RANK[b] > RANK[a] ? b : a;
}

/** The state after a run of the learner's chain: solved (with or without help) or tried. */
export function stateAfterRun(prev: ProgressState, solved: boolean, helped: boolean): ProgressState {
  return bestState(prev, solved ? (helped ? 'solved-hints' : 'solved') : 'tried');
}

export interface LevelProgress {
  level: Level;
  total: number;
  solved: number;
  solvedWithHints: number;
  tried: number;
}

/** Counts per level: how many exercises are solved, solved with hints, tried. */
export function levelProgress(exercises: Exercise[], states: Record<string, ProgressState>): LevelProgress[] {
  const out = new Map<Level, LevelProgress>();
  for (const ex of exercises) {
    const p = out.get(ex.level) ?? { level: ex.level, total: 0, solved: 0, solvedWithHints: 0, tried: 0 };
    const s = states[ex.id] ?? 'unseen';
    p.total++;
    if (s === 'solved') p.solved++;
    if (s === 'solved-hints') p.solvedWithHints++;
    if (s === 'tried') p.tried++;
    out.set(ex.level, p);
  }
  return [...out.values()].sort((a, b) => a.level - b.level);
}
