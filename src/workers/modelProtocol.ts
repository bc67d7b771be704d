/** Typed messages between the page and the model worker. */
import type { CandidateInfo } from '../core/candidateInfo';
import type { PolicyStep } from '../core/policy';
import type { Strategy } from '../core/search';
import type { Choice } from '../core/selection';
import type { Aggregator } from '../core/stepWeights';
import type { QueryOutcome, SchemaInfo } from '../core/types';

export interface ModelFiles {
  config: string;
  tokenizer: string;
  tokenizerConfig: string;
  onnx: string;
}

/** How to search for an answer: the strategy and its knobs (n: candidates or beam budget; agg: PRM aggregate). */
export interface SearchSettings {
  strategy: Strategy;
  n: number;
  agg: Aggregator;
  beamWidth: number;
  /** Greedy: token-level beam width (1 = argmax decoding; see core/beamDecode.ts). */
  tokenBeam: number;
}

export type ModelRequest =
  | { type: 'load'; files: ModelFiles; prmFiles?: ModelFiles; preferWebGpu: boolean }
  | ({ type: 'ask'; id: number; question: string; schema: SchemaInfo; constrained: boolean; maxNewTokens: number } & SearchSettings)
  | { type: 'stop'; id: number }
  | { type: 'sqlResult'; queryId: number; outcome: QueryOutcome }
  /** PRM step scores of a chain (CoCTE text) given each step's outcome; answered by `scores` or `scoreError`. */
  | { type: 'score'; id: number; question: string; schema: SchemaInfo; text: string; outcomes: QueryOutcome[] };

export type ModelEvent =
  | { type: 'progress'; loaded: number; total: number; file: string }
  | { type: 'ready'; backend: 'webgpu' | 'wasm'; loadMs: number }
  | { type: 'loadError'; error: string }
  | { type: 'prmReady'; loadMs: number }
  | { type: 'prmError'; error: string }
  | { type: 'runSql'; queryId: number; sql: string }
  | { type: 'tokens'; id: number; text: string; tokens: number; tokensPerSecond: number }
  | { type: 'step'; id: number; step: PolicyStep; text: string }
  | { type: 'candidate'; id: number; index: number; candidate: CandidateInfo }
  | {
      type: 'done';
      id: number;
      strategy: Strategy;
      /** The chosen chain (canonical CoCTE). */
      sql: string;
      candidates: CandidateInfo[];
      choice: Choice;
      tokens: number;
      tokensPerSecond: number;
      prmMs: number;
      totalMs: number;
      stopped: string;
    }
  | { type: 'askError'; id: number; error: string }
  | { type: 'scores'; id: number; scores: number[] }
  | { type: 'scoreError'; id: number; error: string };
