/** Messages between `npm run rl` (scripts/rl.ts) and its rollout processes (rolloutWorker.ts). */
import type { OutcomeKind } from '../../../src/core/rl/grpo';

/** One question to answer: its database file, its words and its gold query. */
export interface RlTask {
  id: number;
  dbPath: string;
  question: string;
  gold: string;
  /** Seed of the task's sampled chains (chain k uses seed + k). */
  seed: number;
}

export interface ChainResult {
  /** The chain's token ids (the end token included when the chain ended on it). */
  ids: number[];
  outcome: OutcomeKind;
  stepScores: number[];
  stepEntropies: number[];
  sql: string;
}

export type TaskResult = { id: number; skipped: string } | { id: number; promptIds: number[]; chains: ChainResult[] };

interface PolicyRef {
  /** A model folder (config, tokenizer, onnx/) and the version of its weights: a newer version is reloaded. */
  policyDir: string;
  version: number;
  dtype: 'fp32' | 'quantized';
}

export type ToWorker =
  | (PolicyRef & { type: 'rollouts'; tasks: RlTask[]; group: number; temperature: number; prmDir: string | null })
  | (PolicyRef & { type: 'greedy'; tasks: RlTask[] })
  | { type: 'quit' };

export type FromWorker = { type: 'ready' } | { type: 'results'; results: TaskResult[] } | { type: 'error'; message: string };
