import { describe, expect, it } from 'vitest';
import { mergeReports, shardOf } from '../scripts/lib/evalShards';

const part = (n: number, correct: number, executed: number, qs: number[], counts: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  summary: { strategy: 'bon', n, correct, ex: correct / n, executable: executed / n, tokens: 10 * n, decodeSeconds: n, seconds: n, counts: { executable: executed, ...counts }, ...extra },
  missing: [] as string[],
  questions: qs.map((i) => ({ i, ms: 100 * (i + 1) })),
});

describe('eval shards', () => {
  it('parses --shard k/J', () => {
    expect(shardOf('1/2')).toEqual({ k: 1, of: 2 });
    expect(shardOf(undefined)).toBeNull();
    expect(() => shardOf('2/2')).toThrow(/k < J/);
  });

  it('merges shard reports into one: counts summed, rates over every question, questions in order', () => {
    const a = part(3, 1, 2, [0, 2, 4], { passAtN: 2, sameCandidates: { vote: 1 }, sameCandidatesNonBlank: { vote: 0 } }, { blankGold: 1, correctOnBlankGold: 1 });
    const b = part(2, 1, 1, [1, 3], { passAtN: 1, sameCandidates: { vote: 1 }, sameCandidatesNonBlank: { vote: 1 } }, { blankGold: 0, correctOnBlankGold: 0 });
    b.missing = ['5:wta_1'];
    const m = mergeReports([a, b]);
    expect(m.summary.n).toBe(5);
    expect(m.summary.correct).toBe(2);
    expect(m.summary.ex).toBeCloseTo(0.4, 12);
    expect(m.summary.executable).toBeCloseTo(0.6, 12);
    expect(m.summary.passAtN).toBeCloseTo(0.6, 12);
    expect(m.summary.sameCandidates).toEqual({ vote: 0.4 });
    // One of the five questions has a blank gold result (and was answered right): EX over the other four is 1/4.
    expect(m.summary.exNonBlank).toBeCloseTo(0.25, 12);
    expect(m.summary.sameCandidatesNonBlank).toEqual({ vote: 0.25 });
    expect(m.summary.decodeTokensPerSecond).toBe(10);
    expect(m.questions.map((q) => q.i)).toEqual([0, 1, 2, 3, 4]);
    expect(m.missing).toEqual(['5:wta_1']);
    // Question times over both shards: 100 … 500 ms.
    expect(m.summary.questionMs).toEqual({ median: 300, p95: 500, max: 500 });
    expect(m.summary.counts).toEqual({ executable: 3, passAtN: 3, sameCandidates: { vote: 2 }, sameCandidatesNonBlank: { vote: 1 } });
  });

  it('greedy reports carry no candidate counts', () => {
    const m = mergeReports([part(2, 1, 1, [0, 2], {}), part(1, 0, 1, [1], {})]);
    expect(m.summary.counts).toEqual({ executable: 2 });
    expect(m.summary.executable).toBeCloseTo(2 / 3, 12);
    expect('passAtN' in m.summary).toBe(false);
  });
});
