/**
 * The rewards and advantages of process-supervised GRPO (`npm run rl`, issue 21; Reward-SQL §5 in
 * ../shared/notes/method.md). The TypeScript side samples G chains per question with the studio's decoding, runs every
 * step, and turns each chain into one number here; models/train/grpo.py does the clipped-ratio update with a KL
 * penalty. Every setting the two sides share is in `rlSettings`, which the script passes to Python on its command line.
 *
 * Reward of a chain i (R_i = o_i + λ · p_i, Reward-SQL's trajectory reward):
 * - outcome o_i, as `eval` judges the final result (rows as a multiset, in order when the gold query orders them):
 *   1 when it returns the gold result; 0 when it runs but returns something else; −0.5 when it does not run (a syntax
 *   or scope error, a timeout) or the decoder stopped without a chain. The partial credit tells "runs but wrong" from
 *   "does not run", as issue 21 asks; Reward-SQL's release gives both 0.
 * - process p_i: the PRM's step scores aggregated with the entropy weights (`aggregate(…, 'weighted', entropies)`,
 *   the aggregate Best-of-N ranks by), in [0, 1], times λ (`processWeight`, 0 in the outcome-only ablation).
 * Advantage: A_i = (R_i − mean_G R) / (std_G R + 1e-6) with the unbiased standard deviation over the group (GRPO;
 * Reward-SQL's code). A group whose rewards are all equal carries no signal: every A_i is 0 and it is not sent to the
 * update.
 */
import { aggregate, type Aggregator } from '../stepWeights';

export type OutcomeKind = 'correct' | 'wrong' | 'failed';

export const OUTCOME_REWARD: Readonly<Record<OutcomeKind, number>> = { correct: 1, wrong: 0, failed: -0.5 };

/** Every setting of a GRPO run that TypeScript and Python share, with its default. */
export interface RlSettings {
  /** Chains sampled per question (G). */
  group: number;
  /** Questions per update. */
  batch: number;
  /** Sampling temperature of the rollouts. */
  temperature: number;
  /** λ: weight of the PRM's aggregated step score in the reward (0: outcome only). */
  processWeight: number;
  /** The PRM aggregate of the process reward. */
  agg: Aggregator;
  /** AdamW learning rate (constant after a short warm-up). */
  lr: number;
  /** β: weight of the k3 KL estimate to the starting policy in the loss. */
  kl: number;
  /** ε of the clipped ratio: min(r·A, clip(r, 1−ε, 1+ε)·A). */
  clip: number;
  /** Optimizer steps per batch of rollouts (the batch split into this many minibatches; the clip acts from the 2nd). */
  minibatches: number;
  /** Gradient-norm clip. */
  maxGradNorm: number;
  /** Share of the questions that are template questions over a fresh invented-name copy of a training database. */
  inventedShare: number;
}

export const RL_DEFAULTS: Readonly<RlSettings> = {
  group: 8,
  batch: 16,
  temperature: 1,
  processWeight: 0.5,
  agg: 'weighted',
  lr: 3e-5,
  kl: 0.02,
  clip: 0.2,
  minibatches: 2,
  maxGradNorm: 1,
  inventedShare: 0.25,
};

/** The defaults with `overrides` (undefined fields ignored). */
export function rlSettings(overrides: Partial<RlSettings> = {}): RlSettings {
  const s = { ...RL_DEFAULTS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  if (!(s.group >= 2)) throw new Error(`--group must be at least 2 (GRPO normalizes within a group), not ${s.group}`);
  if (!(s.processWeight >= 0)) throw new Error(`--process-weight must be 0 or more, not ${s.processWeight}`);
  if (!(s.clip > 0 && s.clip < 1)) throw new Error(`--clip must be in (0, 1), not ${s.clip}`);
  return s;
}

/** What the reward needs of one sampled chain. */
export interface Rollout {
  outcome: OutcomeKind;
  /** PRM score per step (empty when no PRM scored it). */
  stepScores: number[];
  /** Mean policy entropy per step. */
  stepEntropies: number[];
}

/** The process part p_i in [0, 1] (0 for a chain the PRM did not score). */
export function processReward(r: Rollout, agg: Aggregator = RL_DEFAULTS.agg): number {
  return r.stepScores.length ? aggregate(r.stepScores, agg, r.stepEntropies) : 0;
}

/** R_i = o_i + λ · p_i. */
export function chainReward(r: Rollout, s: Pick<RlSettings, 'processWeight' | 'agg'>): number {
  return OUTCOME_REWARD[r.outcome] + (s.processWeight > 0 ? s.processWeight * processReward(r, s.agg) : 0);
}

/** Group-normalized advantages (all 0 when the rewards are equal). */
export function groupAdvantages(rewards: number[], eps = 1e-6): number[] {
  const n = rewards.length;
  if (n < 2) return rewards.map(() => 0);
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  const variance = rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
  const std = Math.sqrt(variance);
  if (std < 1e-9) return rewards.map(() => 0);
  return rewards.map((r) => (r - mean) / (std + eps));
}
