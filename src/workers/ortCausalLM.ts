/**
 * The onnxruntime-web adapter: the only file that talks to ORT. Loads a decoder exported in the transformers.js
 * layout (inputs input_ids / attention_mask / position_ids / past_key_values.{i}.{key,value}; outputs logits /
 * present.{i}.{key,value}) and implements `CausalLM` for one sequence with a KV cache. What Hub exports vary in is
 * read from the session: grouped-query attention (`num_key_value_heads`), which position inputs it takes (see
 * `POSITION_INPUTS`: onnxruntime-genai exports with the rotary embedding inside GroupQueryAttention have no
 * `position_ids`), fp32 or fp16 caches and logits, contrib ops (MatMulNBits, GroupQueryAttention: ORT runs them,
 * nothing here changes), weights in an external file (`model.onnx_data`, passed as `externalData`), and
 * `present_step.*` outputs or none.
 * The ORT module is passed in (`loadOrtWeb` in the browser; onnxruntime-node or onnxruntime-web in Node scripts).
 * Also loads the process reward model (inputs input_ids / attention_mask; output scores, one per position) as a
 * `StepScoreModel`.
 */
import type * as Ort from 'onnxruntime-web';
import type { CausalLM } from '../core/decode';
import type { StepScoreModel } from '../core/prm';
import { promptFormatOf, type PromptFormat } from '../core/prompt';
import { KvBufferPool } from './kvBufferPool';

/**
 * The browser's ORT build for a backend. WASM uses the plain SIMD build (`onnxruntime-web/wasm`, 14 MB): the WebGPU
 * build's wasm is instrumented for async GPU calls (JSEP/asyncify) and decodes several times slower on the CPU. Each
 * is fetched only when used. `threads`: ORT's WASM threads; more than one needs a cross-origin isolated page
 * (SharedArrayBuffer), which the studio's servers provide (COOP/COEP in vite.config.ts).
 */
export async function loadOrtWeb(backend: 'webgpu' | 'wasm', threads = 1): Promise<typeof Ort> {
  const ort = backend === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = threads;
  return ort;
}

/** The WASM threads a page can use: every core when it is cross-origin isolated, one otherwise. */
export function wasmThreads(isolated: boolean, cores: number): number {
  return isolated ? Math.max(1, Math.min(16, cores)) : 1;
}

/** Weights kept apart from the graph (`model.onnx_data`): the file name the graph refers to and its bytes. */
export interface ExternalWeights {
  path: string;
  data: Uint8Array;
}

/** fp16 bits (IEEE half) to a float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** `data[from, to)` as float32, from a float32 tensor or an fp16 one (Uint16Array bits, or Float16Array). */
function floatsOf(data: unknown, from: number, to: number): Float32Array {
  if (data instanceof Float32Array) return data.slice(from, to);
  if (data instanceof Uint16Array) {
    const out = new Float32Array(to - from);
    for (let i = from; i < to; i++) out[i - from] = halfToFloat(data[i]!);
    return out;
  }
  return Float32Array.from((data as ArrayLike<number>) as unknown as Iterable<number>).slice(from, to);
}

/**
 * The inputs a decoder may take besides input_ids and past_key_values.*, each filled from the cached length P and the
 * new tokens' count T (one sequence, no padding): the attention mask, positions, and GroupQueryAttention's
 * `seqlens_k` (total length - 1, per sequence) and `total_sequence_length` (a scalar), which exports built by
 * onnxruntime-genai compute from attention_mask inside the graph but some take as inputs.
 */
export const POSITION_INPUTS: Record<string, (P: number, T: number) => { type: 'int64' | 'int32'; data: BigInt64Array | Int32Array; dims: number[] }> = {
  attention_mask: (P, T) => ({ type: 'int64', data: new BigInt64Array(P + T).fill(1n), dims: [1, P + T] }),
  position_ids: (P, T) => ({ type: 'int64', data: BigInt64Array.from({ length: T }, (_, i) => BigInt(P + i)), dims: [1, T] }),
  seqlens_k: (P, T) => ({ type: 'int32', data: Int32Array.of(P + T - 1), dims: [1] }),
  total_sequence_length: (P, T) => ({ type: 'int32', data: Int32Array.of(P + T), dims: [] }),
};

/** The session's inputs besides input_ids and the cache: those `POSITION_INPUTS` fills, and those it cannot. */
export function positionInputs(inputNames: readonly string[]): { known: string[]; unknown: string[] } {
  const rest = inputNames.filter((n) => n !== 'input_ids' && !n.startsWith('past_key_values.'));
  return { known: rest.filter((n) => n in POSITION_INPUTS), unknown: rest.filter((n) => !(n in POSITION_INPUTS)) };
}

export interface DecoderConfig {
  num_hidden_layers: number;
  num_key_value_heads?: number;
  num_attention_heads: number;
  hidden_size: number;
  head_dim?: number;
  vocab_size: number;
  /** Positions the model was trained on. */
  max_position_embeddings?: number;
  /** The prompt layout the model was trained on (see `promptFormatOf`). */
  cocte_prompt?: { order?: string; examples_per_column?: number; names?: string; links?: string };
}

/** Which cache outputs a decoder fetches: `step` (the new tokens' only, when the file has them) or `full`. */
export type CacheOutputs = 'step' | 'full';

interface Cache {
  length: number;
  tensors: Record<string, Ort.Tensor>;
}

export class OrtCausalLM implements CausalLM {
  readonly vocabSize: number;
  readonly promptFormat: PromptFormat;
  readonly contextLength?: number;
  private readonly layers: number;
  private readonly kvHeads: number;
  private readonly headDim: number;
  /** The position inputs the session takes (names of `POSITION_INPUTS`). */
  private readonly positionNames: string[];
  /** The cache's element type (fp16 caches come with fp16 and q4f16 Hub exports). */
  readonly cacheType: 'float32' | 'float16';
  /**
   * The outputs fetched per call when the file has `present_step.*` (models/train/step_outputs.py): logits and the new
   * tokens' keys and values only, appended to the cache here. onnxruntime-web copies every fetched output into a newly
   * allocated array, and Chromium faults in fresh pages for each, so fetching the whole `present.*` cache each token
   * cost most of a browser decode step (docs/experiments.md, "Where the browser lost"). Null: the file has only `present.*`.
   */
  private readonly stepFetches: string[] | null;
  /** Buffers of the cache kept here (with `stepFetches`), recycled through `release` (see KvBufferPool). */
  private readonly kvPool: KvBufferPool;

  private constructor(private readonly ort: typeof Ort, private readonly session: Ort.InferenceSession, config: DecoderConfig, cache: CacheOutputs) {
    this.vocabSize = config.vocab_size;
    this.promptFormat = promptFormatOf(config);
    if (config.max_position_embeddings) this.contextLength = config.max_position_embeddings;
    this.layers = config.num_hidden_layers;
    this.kvHeads = config.num_key_value_heads ?? config.num_attention_heads;
    this.headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
    this.positionNames = positionInputs(session.inputNames).known;
    const past = session.inputMetadata?.find((m) => m.name === 'past_key_values.0.key');
    this.cacheType = past && past.isTensor && past.type === 'float16' ? 'float16' : 'float32';
    const stepNames = Array.from({ length: this.layers }, (_, i) => [`present_step.${i}.key`, `present_step.${i}.value`]).flat();
    this.kvPool = new KvBufferPool(this.kvHeads * this.headDim);
    // The step outputs are appended here as float32; an fp16 cache is fetched whole.
    this.stepFetches = cache === 'step' && this.cacheType === 'float32' && stepNames.every((n) => session.outputNames.includes(n)) ? ['logits', ...stepNames] : null;
  }

  /**
   * `options` adds session options (Node scripts set `intraOpNumThreads` when several processes share the cores);
   * `cache: 'full'` fetches `present.*` even when the file has step outputs (to compare the two); `external`: the
   * weights file of a model saved with external data.
   */
  static async create(ort: typeof Ort, model: Uint8Array, config: DecoderConfig, executionProviders: string[] = ['wasm'], options: Ort.InferenceSession.SessionOptions = {}, cache: CacheOutputs = 'step', external?: ExternalWeights): Promise<OrtCausalLM> {
    const session = await ort.InferenceSession.create(model, { ...options, executionProviders, graphOptimizationLevel: 'all', ...(external ? { externalData: [{ path: external.path, data: external.data }] } : {}) });
    const missing = ['input_ids', 'attention_mask', 'past_key_values.0.key'].filter((n) => !session.inputNames.includes(n));
    if (missing.length) throw new Error(`This ONNX file is not a decoder with a KV cache: missing inputs ${missing.join(', ')}.`);
    const { unknown } = positionInputs(session.inputNames);
    if (unknown.length) throw new Error(`This decoder takes inputs the studio does not know how to fill: ${unknown.join(', ')}.`);
    return new OrtCausalLM(ort, session, config, cache);
  }

  /** Whether each call fetches only the new tokens' keys and values (the file has `present_step.*`). */
  get fetchesStepOutputs(): boolean {
    return this.stepFetches !== null;
  }

  async forward(ids: number[], past: unknown | null): Promise<{ logits: Float32Array; past: unknown }> {
    const { Tensor } = this.ort;
    const cache = past as Cache | null;
    const P = cache?.length ?? 0;
    const T = ids.length;
    const feeds: Record<string, Ort.Tensor> = { input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]) };
    for (const name of this.positionNames) {
      const { type, data, dims } = POSITION_INPUTS[name]!(P, T);
      feeds[name] = type === 'int64' ? new Tensor(type, data as BigInt64Array, dims) : new Tensor(type, data as Int32Array, dims);
    }
    for (let i = 0; i < this.layers; i++) {
      for (const kv of ['key', 'value']) {
        feeds[`past_key_values.${i}.${kv}`] = cache?.tensors[`present.${i}.${kv}`] ?? this.emptyCache();
      }
    }
    const out = this.stepFetches ? await this.session.run(feeds, this.stepFetches) : await this.session.run(feeds);
    const logits = out.logits!;
    const V = logits.dims[2]!;
    const last = floatsOf(logits.data, (T - 1) * V, T * V);
    logits.dispose?.();
    const tensors: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present.')) tensors[name] = t;
      else if (name.startsWith('present_step.')) {
        const key = name.replace('present_step.', 'present.');
        tensors[key] = this.append(cache?.tensors[key], t, P, T);
      }
    }
    return { logits: last, past: { length: P + T, tensors } satisfies Cache };
  }

  private emptyCache(): Ort.Tensor {
    const data = this.cacheType === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    return new this.ort.Tensor(this.cacheType, data, [1, this.kvHeads, 0, this.headDim]);
  }

  /** Frees the session (its weights, and on WebGPU its GPU buffers). */
  async dispose(): Promise<void> {
    await this.session.release();
  }

  /**
   * The cache `[1, heads, P, dim]` with this call's `[1, heads, T, dim]` appended: a new tensor (caches are shared
   * between candidates), in a buffer from the pool.
   */
  private append(past: Ort.Tensor | undefined, step: Ort.Tensor, P: number, T: number): Ort.Tensor {
    const H = this.kvHeads;
    const D = this.headDim;
    const s = step.data as Float32Array;
    const p = past?.data as Float32Array | undefined;
    const data = this.kvPool.take(P + T);
    for (let h = 0; h < H; h++) {
      if (p) data.set(p.subarray(h * P * D, (h + 1) * P * D), h * (P + T) * D);
      data.set(s.subarray(h * T * D, (h + 1) * T * D), (h * (P + T) + P) * D);
    }
    step.dispose?.();
    return new this.ort.Tensor('float32', data, [1, H, P + T, D]);
  }

  release(past: unknown): void {
    const cache = past as Cache | null;
    if (!cache) return;
    for (const t of Object.values(cache.tensors)) {
      if (this.stepFetches && t.location === 'cpu') this.kvPool.give(t.data as Float32Array);
      t.dispose?.();
    }
  }
}

export interface PrmConfig {
  max_position_embeddings: number;
  /** `segments` (with execution summaries) or `plain`. */
  prm_input?: string;
  cocte_prompt?: { order?: string; examples_per_column?: number };
}

export class OrtStepScorer implements StepScoreModel {
  readonly maxLength: number;
  readonly withExecution: boolean;
  readonly promptFormat: PromptFormat;

  private constructor(private readonly ort: typeof Ort, private readonly session: Ort.InferenceSession, config: PrmConfig) {
    this.maxLength = config.max_position_embeddings;
    this.withExecution = config.prm_input !== 'plain';
    this.promptFormat = promptFormatOf(config);
  }

  static async create(ort: typeof Ort, model: Uint8Array, config: PrmConfig, executionProviders: string[] = ['wasm'], options: Ort.InferenceSession.SessionOptions = {}): Promise<OrtStepScorer> {
    const session = await ort.InferenceSession.create(model, { ...options, executionProviders, graphOptimizationLevel: 'all' });
    if (!session.inputNames.includes('input_ids') || !session.outputNames.includes('scores')) {
      throw new Error('This ONNX file is not a step scorer: it needs an input_ids input and a scores output.');
    }
    return new OrtStepScorer(ort, session, config);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  async scores(ids: number[]): Promise<Float32Array> {
    const { Tensor } = this.ort;
    const T = ids.length;
    const out = await this.session.run({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    });
    const s = out.scores!;
    const data = (s.data as Float32Array).slice(0, T);
    s.dispose?.();
    return data;
  }
}
