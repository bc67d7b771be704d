import { describe, expect, it } from 'vitest';
import { nextToReveal, type Exercise } from '../src/core/teaching/exercise';
import { levelProgress, stateAfterRun } from '../src/core/teaching/progress';

describe('progress states', () => {
  it('a run makes an exercise tried, a solution solved (with hints when helped), and the best state stays', () => {
    expect(stateAfterRun('unseen', false, false)).toBe('tried');
    expect(stateAfterRun('tried', true, true)).toBe('solved-hints');
    expect(stateAfterRun('solved-hints', true, false)).toBe('solved');
    expect(stateAfterRun('solved', false, false)).toBe('solved');
    expect(stateAfterRun('solved', true, true)).toBe('solved');
  });

  it('counts per level', () => {
    const ex = (id: string, level: 1 | 2): Exercise => ({ id, level, db: 'chinook', question: '', query: '', chain: '', source: 'hand-written' });
    const p = levelProgress([ex('a', 1), ex('b', 1), ex('c', 2)], { a: 'solved', b: 'tried', c: 'solved-hints' });
    expect(p).toEqual([
      { level: 1, total: 2, solved: 1, solvedWithHints: 0, tried: 1 },
      { level: 2, total: 1, solved: 0, solvedWithHints: 1, tried: 0 },
    ]);
  });
});

describe('hints', () => {
  it('reveal the next reference step not reached and not shown yet', () => {
    expect(nextToReveal(3, 0, [])).toBe(0);
    expect(nextToReveal(3, 1, [])).toBe(1);
    expect(nextToReveal(3, 1, [1])).toBe(2);
    expect(nextToReveal(3, 3, [])).toBe(2);
    expect(nextToReveal(3, 0, [0, 1, 2])).toBeNull();
  });
});
