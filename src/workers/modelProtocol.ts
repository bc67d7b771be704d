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

/**
 * Where the policy comes from: the embedded model's URLs (the worker downloads them with byte progress), or the files
 * of a model brought from the Hub cache or a local folder, by path in the transformers.js layout (config.json,
 * tokenizer.json, tokenizer_config.json, generation_config.json when present, `onnx` and its external weights `data`).
 */
export type PolicySource =
  | { kind: 'urls'; files: ModelFiles }
  | { kind: 'bytes'; name: string; files: Record<string, Uint8Array>; onnx: string; data: string[] };

/** `auto`: the worker chooses (backendChoice.ts); the others force a backend (`?backend=`). */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';
export type Backend = 'webgpu' | 'wasm';

/** What the diagnostics panel shows, as the worker found it. */
export interface Diagnostics {
  model: string;
  /** The GPU adapter (null: none offered). */
  adapter: { vendor: string; architecture: string; description: string; fallback: boolean } | null;
  /** Whether the adapter has `shader-f16`. */
  f16: boolean;
  backend: Backend;
  /** Why this backend, in words. */
  reason: string;
  /** ORT's WASM threads, why that many, and whether the page is cross-origin isolated (needed for more than one). */
  threads: number;
  threadsWhy: string;
  isolated: boolean;
  /** Short-probe decode times (ms per token) when both backends were measured. */
  probe?: { wasmMs: number; webgpuMs: number };
  /** Bytes of the policy's files. */
  modelBytes: number;
  /** How the prompt is built: the trained CoCTE format, the model's chat template, or a completion prompt. */
  prompt: 'cocte' | 'chat' | 'completion';
  cacheType: 'float32' | 'float16';
}

export type ModelRequest =
  /** `threads`: the most WASM threads the page allows (the worker may use fewer, backendChoice.ts threadsFor). */
  | { type: 'load'; policy: PolicySource; prmFiles?: ModelFiles; backend: BackendPreference; threads: number }
  | ({ type: 'ask'; id: number; question: string; schema: SchemaInfo } & SearchSettings & Pick<AnswerSettings, 'constrained'>)
  | { type: 'stop'; id: number }
  | { type: 'sqlResult'; queryId: number; outcome: QueryOutcome }
  /** PRM step scores of a chain (CoCTE text) given each step's outcome; answered by `scores` or `scoreError`. */
  | { type: 'score'; id: number; question: string; schema: SchemaInfo; text: string; outcomes: QueryOutcome[] }
  /** Liveness check while the worker loads or answers: answered by `pong` as soon as the worker's thread is free. */
  | { type: 'ping' };

export type ModelEvent =
  | { type: 'progress'; loaded: number; total: number; file: string }
  | { type: 'ready'; backend: Backend; loadMs: number; diagnostics: Diagnostics }
  /** The sessions were rebuilt after a failed run or a lost GPU device (the next question uses them). */
  | { type: 'recovered'; diagnostics: Diagnostics; why: string }
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
