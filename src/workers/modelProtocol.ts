/** Typed messages between the page and the model worker. */
import type { AnswerSettings } from '../core/answerConfig';
import type { CandidateInfo } from '../core/candidateInfo';
import type { PolicyStep } from '../core/policy';
import type { Strategy } from '../core/search';
import type { Choice } from '../core/selection';
import type { QueryOutcome, SchemaInfo } from '../core/types';

export interface ModelFiles {
  config: string;
  tokenizer: string;
  tokenizerConfig: string;
  onnx: string;
  /** generation_config.json (optional: without it the decoding defaults are answerConfig.ts's constants). */
  generationConfig?: string;
}

/**
 * What the studio sets of an answer's settings (core/answerConfig.ts): the strategy and its knobs (n: candidates or
 * beam budget; agg: PRM aggregate; tokenBeam: greedy's token-level beam). The worker fills in the rest.
 */
export type SearchSettings = Pick<AnswerSettings, 'strategy' | 'n' | 'agg' | 'beamWidth' | 'tokenBeam'>;

export type ModelRequest =
  | { type: 'load'; files: ModelFiles; prmFiles?: ModelFiles; preferWebGpu: boolean }
  | ({ type: 'ask'; id: number; question: string; schema: SchemaInfo } & SearchSettings & Pick<AnswerSettings, 'constrained'>)
  | { type: 'stop'; id: number }
  | { type: 'sqlResult'; queryId: number; outcome: QueryOutcome }
  /** PRM step scores of a chain (CoCTE text) given each step's outcome; answered by `scores` or `scoreError`. */
  | { type: 'score'; id: number; question: string; schema: SchemaInfo; text: string; outcomes: QueryOutcome[] }
  /** Liveness check while the worker loads or answers: answered by `pong` as soon as the worker's thread is free. */
  | { type: 'ping' };

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
  | { type: 'scoreError'; id: number; error: string }
  | { type: 'pong' };
