/**
 * A search candidate as the studio shows it: `toCandidateInfo` makes the serializable form the model worker posts
 * (each step's rows cut to a preview; the page re-runs a chain it selects), and `summarizeCandidate` derives what the
 * candidates view draws: per step the PRM score and the inverse-entropy weight, the chain's aggregate, and whether its
 * final query executes with how many rows.
 */
import type { PolicyStep } from './policy';
import type { Candidate } from './search';
import { aggregate, inverseEntropyWeights, type Aggregator } from './stepWeights';
import type { QueryOutcome } from './types';

export interface CandidateInfo {
  /** The composed chain (canonical CoCTE text), what goes into the editor. */
  sql: string;
  /** The chain as the policy wrote it. */
  text: string;
  /** Every step (final query last) with its outcome; rows cut to a preview. */
  steps: PolicyStep[];
  /** PRM score per step; empty when no PRM scored this candidate. */
  stepScores: number[];
  stepEntropies: number[];
}

export interface StepSummary {
  name: string;
  /** PRM score in [0, 1], null when not scored. */
  score: number | null;
  /** Inverse-entropy weight (the weights of a chain sum to 1). */
  weight: number;
  entropy: number;
  ok: boolean;
}

export interface CandidateSummary {
  steps: StepSummary[];
  /** Aggregate PRM score, null when the candidate was not scored. */
  score: number | null;
  executes: boolean;
  /** Rows of the final query when it executes. */
  rows: number | null;
  error: string | null;
}

export const PREVIEW_ROWS = 5;

export function toCandidateInfo(c: Candidate, previewRows = PREVIEW_ROWS): CandidateInfo {
  return {
    sql: c.answer.sql,
    text: c.answer.text,
    steps: c.answer.steps.map((s) => ({ ...s, outcome: previewOutcome(s.outcome, previewRows) })),
    stepScores: [...c.stepScores],
    stepEntropies: [...c.stepEntropies],
  };
}

export function summarizeCandidate(c: CandidateInfo, agg: Aggregator): CandidateSummary {
  const weights = inverseEntropyWeights(c.steps.map((s, i) => c.stepEntropies[i] ?? s.meanEntropy));
  const final = c.steps.at(-1)?.outcome;
  return {
    steps: c.steps.map((s, i) => ({ name: s.name, score: c.stepScores[i] ?? null, weight: weights[i] ?? 0, entropy: c.stepEntropies[i] ?? s.meanEntropy, ok: s.outcome.ok })),
    score: c.stepScores.length ? aggregate(c.stepScores, agg, c.stepEntropies) : null,
    executes: final?.ok ?? false,
    rows: final?.ok ? final.result.totalRows : null,
    error: final && !final.ok ? final.error : final ? null : 'no final query',
  };
}

function previewOutcome(o: QueryOutcome, rows: number): QueryOutcome {
  if (!o.ok || o.result.rows.length <= rows) return o;
  return { ok: true, result: { ...o.result, rows: o.result.rows.slice(0, rows), truncated: true } };
}
