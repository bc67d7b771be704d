import { describe, expect, it } from 'vitest';
import { bestOfN, leverVote, majorityVote, prmVote, type ScoredCandidate } from '../src/core/selection';
import { aggregate, inverseEntropyWeights } from '../src/core/stepWeights';
import type { QueryOutcome, SqlValue } from '../src/core/types';

const ok = (rows: SqlValue[][]): QueryOutcome => ({ ok: true, result: { columns: rows[0]?.map((_, i) => `c${i}`) ?? ['c0'], rows, totalRows: rows.length, truncated: false, elapsedMs: 0 } });
const err: QueryOutcome = { ok: false, error: 'no such column: x', kind: 'sql' };
const cand = (outcome: QueryOutcome, stepScores: number[], stepEntropies: number[] = stepScores.map(() => 1)): ScoredCandidate => ({ outcome, stepScores, stepEntropies });

describe('entropy weights and aggregation', () => {
  it('weights confident (low-entropy) steps more, normalized to 1', () => {
    const w = inverseEntropyWeights([0, 0.9, 1.9]);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]!).toBeCloseTo(10 / (10 + 1 + 0.5), 12);
    expect(w[0]!).toBeGreaterThan(w[1]!);
    expect(w[1]!).toBeGreaterThan(w[2]!);
    expect(inverseEntropyWeights([0.5, 0.5])).toEqual([0.5, 0.5]);
  });

  it('aggregates step scores five ways', () => {
    const s = [0.9, 0.5, 0.8];
    expect(aggregate(s, 'min')).toBe(0.5);
    expect(aggregate(s, 'mean')).toBeCloseTo(2.2 / 3, 12);
    expect(aggregate(s, 'last')).toBe(0.8);
    expect(aggregate(s, 'product')).toBeCloseTo(0.36, 12);
    // Equal entropies: the weighted score is the mean; a confident low-scored step pulls it down.
    expect(aggregate(s, 'weighted', [1, 1, 1])).toBeCloseTo(aggregate(s, 'mean'), 12);
    expect(aggregate(s, 'weighted', [2, 0, 2])).toBeLessThan(aggregate(s, 'mean'));
    expect(aggregate([], 'min')).toBe(0);
  });
});

describe('choosing among candidates', () => {
  const cands = [
    cand(err, [0.99, 0.99]), // best scores but does not execute: filtered out
    cand(ok([[1]]), [0.6, 0.7]),
    cand(ok([[2]]), [0.9, 0.4]),
    cand(ok([[2]]), [0.3, 0.3]),
  ];

  it('best-of-N drops candidates that do not execute, then ranks by the aggregate', () => {
    expect(bestOfN(cands, 'min').index).toBe(1);
    expect(bestOfN(cands, 'mean').index).toBe(2);
    expect(bestOfN(cands, 'last').index).toBe(1);
    expect(bestOfN(cands, 'min').reason).toMatch(/3 executable candidates out of 4/);
  });

  it('breaks ties in favour of the earlier sample', () => {
    expect(bestOfN([cand(ok([[1]]), [0.5]), cand(ok([[2]]), [0.5])], 'mean').index).toBe(0);
  });

  it('majority vote picks the result most candidates return (rows as a multiset)', () => {
    const v = majorityVote([...cands, cand(ok([[1], [3]]), [0]), cand(ok([[3], [1]]), [0]), cand(ok([[1], [3]]), [0])]);
    expect(v.index).toBe(4);
    expect(v.value).toBe(3);
    expect(majorityVote([cand(err, [1])]).reason).toMatch(/none of the 1/);
  });

  it('PRM-weighted vote sums the scores of the candidates that return the same result', () => {
    // Result [[2]]: 0.4 + 0.3 (min) = 0.7 beats [[1]]: 0.6; within the group the higher-scored candidate is shown.
    const v = prmVote(cands, 'min');
    expect(v.index).toBe(2);
    expect(v.value).toBeCloseTo(0.7, 12);
    expect(v.reason).toMatch(/2 of 4 candidates return this result/);
    // One well-scored chain outvotes two poorly scored ones that agree.
    expect(prmVote([cand(ok([[1]]), [0.9]), cand(ok([[2]]), [0.2]), cand(ok([[2]]), [0.2])], 'mean').index).toBe(0);
    // Equal scores: the plain vote.
    const flat = [cand(ok([[1]]), [0.5]), cand(ok([[2]]), [0.5]), cand(ok([[2]]), [0.5])];
    expect(prmVote(flat, 'mean').index).toBe(majorityVote(flat).index);
    expect(prmVote([cand(err, [1])], 'mean').reason).toMatch(/none of the 1/);
  });

  it("LEVER's rule sums PRM score times the policy's probability over candidates that return the same result", () => {
    const withP = (c: ScoredCandidate, logProb: number): ScoredCandidate => ({ ...c, logProb });
    // [[1]]: 0.9 * 1 = 0.9 against [[2]]: 0.5 * e^-1 + 0.5 * e^-1 = 0.37; the probable chain wins.
    const a = [withP(cand(ok([[1]]), [0.9]), -10), withP(cand(ok([[2]]), [0.5]), -11), withP(cand(ok([[2]]), [0.5]), -11), withP(cand(err, [1]), 0)];
    expect(leverVote(a, 'mean').index).toBe(0);
    expect(leverVote(a, 'mean').value).toBeCloseTo(0.9, 12);
    // Equally probable chains: PRM-weighted vote; a very improbable chain barely counts, however well scored.
    const b = [withP(cand(ok([[1]]), [0.9]), -5), withP(cand(ok([[2]]), [0.5]), -5), withP(cand(ok([[2]]), [0.5]), -5)];
    expect(leverVote(b, 'mean').index).toBe(prmVote(b, 'mean').index);
    expect(leverVote([withP(cand(ok([[1]]), [1]), -40), withP(cand(ok([[2]]), [0.1]), -2)], 'mean').index).toBe(1);
    // Huge negative log-probabilities stay finite (taken relative to the most probable candidate).
    expect(Number.isFinite(leverVote([withP(cand(ok([[1]]), [0.5]), -2000)], 'mean').value)).toBe(true);
    expect(leverVote([cand(err, [1])], 'mean').reason).toMatch(/none of the 1/);
  });
});
