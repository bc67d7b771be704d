import { describe, expect, it } from 'vitest';
import { parseCoCTE } from '../src/core/cocte';
import { summarizeCandidate, toCandidateInfo, type CandidateInfo } from '../src/core/candidateInfo';
import type { PolicyStep } from '../src/core/policy';
import type { Candidate } from '../src/core/search';
import { aggregate } from '../src/core/stepWeights';
import type { QueryOutcome } from '../src/core/types';

const rows = (n: number): QueryOutcome => ({ ok: true, result: { columns: ['x'], rows: Array.from({ length: n }, (_, i) => [i]), totalRows: n, truncated: false, elapsedMs: 1 } });
const fail: QueryOutcome = { ok: false, kind: 'sql', error: 'no such column: nope' };
const step = (index: number, name: string, outcome: QueryOutcome, meanEntropy: number): PolicyStep => ({ index, name, sql: `SELECT ${index}`, outcome, meanEntropy });

function candidate(steps: PolicyStep[], stepScores: number[]): Candidate {
  const text = 'WITH\n  s1 AS (\n    SELECT 0\n  )\nSELECT 1';
  return {
    answer: { prompt: 'p', text, trajectory: parseCoCTE(text).trajectory, sql: text, steps, decoded: { text, tokenIds: [], entropies: [], logProbs: [], tokenEnds: [], stopped: 'eos', resampledSteps: 0, fallbacks: 0, feedbackTokens: 0, promptTokens: 1, prefillMs: 0, decodeMs: 0 } },
    stepScores,
    stepEntropies: steps.map((s) => s.meanEntropy),
  };
}

describe('toCandidateInfo', () => {
  it('keeps the chain, scores and entropies and cuts each step’s rows to a preview', () => {
    const c = candidate([step(0, 's1', rows(40), 0.2), step(1, 'final', rows(3), 0.5)], [0.9, 0.4]);
    const info = toCandidateInfo(c, 5);
    expect(info.sql).toBe(c.answer.sql);
    expect(info.stepScores).toEqual([0.9, 0.4]);
    expect(info.stepEntropies).toEqual([0.2, 0.5]);
    const first = info.steps[0]!.outcome;
    expect(first.ok && first.result.rows.length).toBe(5);
    expect(first.ok && first.result.totalRows).toBe(40);
    expect(first.ok && first.result.truncated).toBe(true);
    expect(info.steps[1]!.outcome).toEqual(rows(3));
    // The original candidate is untouched (the worker still uses it).
    const orig = c.answer.steps[0]!.outcome;
    expect(orig.ok && orig.result.rows.length).toBe(40);
    // Survives structured cloning as JSON would (no functions, no class instances).
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});

describe('summarizeCandidate', () => {
  it('gives per-step scores and inverse-entropy weights, the aggregate, and the final outcome', () => {
    const info: CandidateInfo = toCandidateInfo(candidate([step(0, 's1', rows(4), 0.1), step(1, 'final', rows(1), 0.9)], [0.8, 0.6]));
    const s = summarizeCandidate(info, 'weighted');
    expect(s.steps.map((x) => x.name)).toEqual(['s1', 'final']);
    expect(s.steps.map((x) => x.score)).toEqual([0.8, 0.6]);
    // w ∝ 1 / (H + 0.1): 1/0.2 = 5 and 1/1.0 = 1 → 5/6 and 1/6.
    expect(s.steps[0]!.weight).toBeCloseTo(5 / 6, 6);
    expect(s.steps[1]!.weight).toBeCloseTo(1 / 6, 6);
    expect(s.score).toBeCloseTo(aggregate([0.8, 0.6], 'weighted', [0.1, 0.9]), 9);
    expect(summarizeCandidate(info, 'min').score).toBe(0.6);
    expect(s.executes).toBe(true);
    expect(s.rows).toBe(1);
    expect(s.error).toBeNull();
  });

  it('has no aggregate without PRM scores and reports a failing final query', () => {
    const s = summarizeCandidate(toCandidateInfo(candidate([step(0, 's1', rows(2), 0.3), step(1, 'final', fail, 0.3)], [])), 'weighted');
    expect(s.score).toBeNull();
    expect(s.steps.map((x) => x.score)).toEqual([null, null]);
    expect(s.steps.map((x) => x.ok)).toEqual([true, false]);
    expect(s.steps[0]!.weight).toBeCloseTo(0.5, 9);
    expect(s.executes).toBe(false);
    expect(s.rows).toBeNull();
    expect(s.error).toBe('no such column: nope');
  });
});
