/** Typed messages between the page and the model worker. */
import type { PolicyStep } from '../core/policy';
import type { QueryOutcome, SchemaInfo } from '../core/types';

export interface ModelFiles {
  config: string;
  tokenizer: string;
  tokenizerConfig: string;
  onnx: string;
}

export type ModelRequest =
  | { type: 'load'; files: ModelFiles; preferWebGpu: boolean }
  | { type: 'ask'; id: number; question: string; schema: SchemaInfo; constrained: boolean; maxNewTokens: number }
  | { type: 'stop'; id: number }
  | { type: 'sqlResult'; queryId: number; outcome: QueryOutcome };

export type ModelEvent =
  | { type: 'progress'; loaded: number; total: number; file: string }
  | { type: 'ready'; backend: 'webgpu' | 'wasm'; loadMs: number }
  | { type: 'loadError'; error: string }
  | { type: 'runSql'; queryId: number; sql: string }
  | { type: 'tokens'; id: number; text: string; tokens: number; tokensPerSecond: number }
  | { type: 'step'; id: number; step: PolicyStep; text: string }
  | { type: 'done'; id: number; sql: string; text: string; steps: PolicyStep[]; tokens: number; tokensPerSecond: number; prefillMs: number; totalMs: number; stopped: string }
  | { type: 'askError'; id: number; error: string };
