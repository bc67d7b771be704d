/**
 * Step-wise decoding for a causal LM with a KV cache. Model-agnostic: any `CausalLM` (the ONNX adapter in the
 * browser and in Node, or a test double) and any tokenizer. The prompt is prefilled once; then one token per
 * forward pass. Every token's distribution entropy is recorded (the PRM's step weights need it), and the decoder
 * reports each finished CoCTE step (a line `  ),` or the closing `  )` of the WITH list) as soon as it is written.
 */
import type { PromptFormat } from './prompt';
import type { TextTokenizer } from './tokenizer';

/** The token limit of one decode when the caller sets none. */
export const DEFAULT_MAX_NEW_TOKENS = 384;

export interface CausalLM {
  readonly vocabSize: number;
  /** How this model's prompt is laid out (from its config; `SCHEMA_FIRST` when absent). */
  readonly promptFormat?: PromptFormat;
  /** Runs `ids` after the cached context; returns the last position's logits and the extended cache. */
  forward(ids: number[], past: unknown | null): Promise<{ logits: Float32Array; past: unknown }>;
  /** Releases a cache that is no longer needed. */
  release?(past: unknown): void;
}

export interface DecodeOptions {
  maxNewTokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  /** Seed of the sampling RNG (deterministic runs). */
  seed?: number;
  /**
   * Sets logits of forbidden tokens to -Infinity (constrained decoding); called before each choice. Returning false
   * means a dead end (no token can continue the chain): decoding stops there with `stopped` 'dead-end'.
   */
  constrain?: (generatedText: string, logits: Float32Array) => boolean | void;
  /**
   * Called when a CoCTE step is complete: `text` is everything generated so far. Returning false rejects the step
   * (it failed to execute): decoding rewinds to the step's start and samples it again (see `stepRetries`).
   * Returning a string accepts the step and feeds that text (an execution summary) to the model as context: it is
   * prefilled into the KV cache but is not part of the generated text.
   */
  onStep?: (text: string, stepIndex: number) => StepVerdict | Promise<StepVerdict>;
  /** How many times a rejected step is resampled (at `retryTemperature`) before it is kept anyway. */
  stepRetries?: number;
  retryTemperature?: number;
  onToken?: (text: string, tokens: number) => void;
  signal?: AbortSignal;
  /**
   * A prompt already run through the model (`prefill`): N candidates for one question share it, so the prompt is
   * computed once. Its cache is not released by `decode`; the caller releases it when every candidate is done.
   */
  prefilled?: Prefilled;
  /**
   * Continue a partial chain (step-level search): these tokens were already generated after the prompt, with these
   * entropies. They are run after the (shared) prompt cache and count as generated text.
   */
  resume?: Pick<DecodeResult, 'tokenIds' | 'entropies' | 'tokenEnds'>;
  /** Stop as soon as this many steps (counting the resumed ones) are complete: `stopped` is then 'step'. */
  maxSteps?: number;
}

/** A prompt's KV cache and next-token logits, reusable by several decodes. */
export interface Prefilled {
  prompt: string;
  promptTokens: number;
  logits: Float32Array;
  past: unknown;
  prefillMs: number;
}

export async function prefill(lm: CausalLM, tok: TextTokenizer, prompt: string): Promise<Prefilled> {
  const ids = tok.encode(prompt);
  const t0 = now();
  const { logits, past } = await lm.forward(ids, null);
  return { prompt, promptTokens: ids.length, logits, past, prefillMs: now() - t0 };
}

export type StepVerdict = boolean | void | string;

export interface DecodeResult {
  text: string;
  tokenIds: number[];
  /** Entropy (nats) of the distribution each token was drawn from. */
  entropies: number[];
  /** Character offset in `text` where each token ends (maps tokens to steps). */
  tokenEnds: number[];
  /** Why decoding ended; 'dead-end': the constraint found no token that keeps the chain valid SQL. */
  stopped: 'eos' | 'length' | 'aborted' | 'step' | 'dead-end';
  /** Steps that were rejected and written again. */
  resampledSteps: number;
  /** Tokens of execution summaries fed back to the model (not generated). */
  feedbackTokens: number;
  promptTokens: number;
  prefillMs: number;
  decodeMs: number;
}

/**
 * Where each CoCTE step of `text` ends: the offset just after its closing line (`  ),` or the `  )` that closes the
 * WITH list). Decoding, step replay and the entropy split all find step boundaries here.
 */
export function stepEnds(text: string): number[] {
  const ends: number[] = [];
  const re = /\n {2}\),?\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) ends.push(m.index + m[0].length);
  return ends;
}

export async function decode(lm: CausalLM, tok: TextTokenizer, prompt: string, opts: DecodeOptions = {}): Promise<DecodeResult> {
  const maxNew = opts.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  const temperature = opts.temperature ?? 0;
  const rng = mulberry32(opts.seed ?? 1);
  const shared = opts.prefilled?.prompt === prompt ? opts.prefilled : undefined;
  const start = shared ?? (await prefill(lm, tok, prompt));
  let { logits, past } = start;
  const prefillMs = shared ? 0 : start.prefillMs;
  // Never release the shared prompt cache: other candidates decode from it.
  const release = (p: unknown) => {
    if (!shared || p !== shared.past) lm.release?.(p);
  };
  const ids: number[] = [];
  const entropies: number[] = [];
  const tokenEnds: number[] = [];
  let text = '';
  if (opts.resume?.tokenIds.length) {
    const r = opts.resume;
    const out = await lm.forward(r.tokenIds, past);
    release(past);
    ({ logits, past } = out);
    ids.push(...r.tokenIds);
    entropies.push(...r.entropies);
    tokenEnds.push(...r.tokenEnds);
    text = tok.decode(ids);
  }
  let steps = stepEnds(text).length;
  let stopped: DecodeResult['stopped'] = 'length';
  let resampled = 0;
  let fedTokens = 0;
  // Where the current step started, to rewind to when the step is rejected.
  let mark = { past, logits, n: ids.length, text, retries: 0 };
  let temp = temperature;
  // Back to the start of the current step, to write it again by sampling.
  const rewind = () => {
    resampled++;
    if (past !== mark.past) release(past);
    past = mark.past;
    logits = mark.logits;
    ids.length = mark.n;
    entropies.length = mark.n;
    tokenEnds.length = mark.n;
    text = mark.text;
    mark.retries++;
    temp = opts.retryTemperature ?? 0.8;
  };
  const t1 = now();
  let generated = 0;
  while (generated < maxNew) {
    if (opts.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    if (opts.constrain?.(text, logits) === false) {
      // A dead end is a failed step: write the step again when retries are allowed, else end the chain here.
      if (mark.retries < (opts.stepRetries ?? 0)) {
        rewind();
        continue;
      }
      stopped = 'dead-end';
      break;
    }
    const probs = softmax(logits, temp > 0 ? temp : 1);
    entropies.push(entropy(probs));
    const next = temp > 0 ? sample(probs, rng) : argmax(logits);
    if (next === tok.eosId) {
      entropies.pop();
      stopped = 'eos';
      break;
    }
    ids.push(next);
    generated++;
    text = tok.decode(ids);
    tokenEnds.push(text.length);
    opts.onToken?.(text, ids.length);
    const out = await lm.forward([next], past);
    if (past !== mark.past) release(past);
    logits = out.logits;
    past = out.past;
    const ended = stepEnds(text).length;
    if (ended > steps) {
      const verdict = await opts.onStep?.(text, ended - 1);
      if (verdict === false && mark.retries < (opts.stepRetries ?? 0)) {
        rewind();
        continue;
      }
      steps = ended;
      if (typeof verdict === 'string' && verdict) {
        const feedIds = tok.encode(verdict);
        const fed = await lm.forward(feedIds, past);
        release(past);
        past = fed.past;
        logits = fed.logits;
        fedTokens += feedIds.length;
      }
      if (mark.past !== past) release(mark.past);
      mark = { past, logits, n: ids.length, text, retries: 0 };
      temp = temperature;
      if (opts.maxSteps !== undefined && steps >= opts.maxSteps) {
        stopped = 'step';
        break;
      }
    }
  }
  if (past !== mark.past) release(mark.past);
  release(past);
  return { text, tokenIds: ids, entropies, tokenEnds, stopped, promptTokens: start.promptTokens, prefillMs, decodeMs: now() - t1, resampledSteps: resampled, feedbackTokens: fedTokens };
}

export function softmax(logits: Float32Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i]! - max) / temperature);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

export function entropy(p: Float64Array): number {
  let h = 0;
  for (const x of p) if (x > 0) h -= x * Math.log(x);
  return h;
}

/** The indices of the `k` largest values, largest first. */
export function topIndices(xs: Float32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) idx.sort((a, b) => xs[b]! - xs[a]!);
    } else if (xs[i]! > xs[idx[k - 1]!]!) {
      let j = k - 1;
      while (j > 0 && xs[i]! > xs[idx[j - 1]!]!) j--;
      idx.splice(j, 0, i);
      idx.pop();
    }
  }
  return idx.length < k ? idx.sort((a, b) => xs[b]! - xs[a]!) : idx;
}

export function argmax(xs: Float32Array): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function sample(p: Float64Array, rng: () => number): number {
  let r = rng();
  for (let i = 0; i < p.length; i++) {
    r -= p[i]!;
    if (r <= 0) return i;
  }
  return p.length - 1;
}

/** Small deterministic RNG for reproducible sampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
