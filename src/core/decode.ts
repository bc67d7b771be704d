/**
 * Step-wise decoding for a causal LM with a KV cache. Model-agnostic: any `CausalLM` (the ONNX adapter in the
 * browser and in Node, or a test double) and any tokenizer. The prompt is prefilled once; then one token per
 * forward pass. Every token's distribution entropy is recorded (the PRM's step weights need it), and the decoder
 * reports each finished CoCTE step (a line `  ),` or the closing `  )` of the WITH list) as soon as it is written.
 */
import { FallbackLog } from './fallback';
import type { PromptFormat } from './prompt';
import type { TextTokenizer } from './tokenizer';

/**
 * The token limit of one decode when the caller sets none, and answerConfig.ts's default when the model's
 * generation_config.json gives none: every README figure was measured with it.
 */
export const DEFAULT_MAX_NEW_TOKENS = 320;

export interface CausalLM {
  readonly vocabSize: number;
  /** How this model's prompt is laid out (from its config; `SCHEMA_FIRST` when absent). */
  readonly promptFormat?: PromptFormat;
  /** Positions the model was trained on (config `max_position_embeddings`): prompt and chain together stay within it. */
  readonly contextLength?: number;
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
  onStep?: (text: string, stepIndex: number, retryable: boolean) => StepVerdict | Promise<StepVerdict>;
  /** How many times a rejected step is resampled (at `retryTemperature`) before it is kept anyway. */
  stepRetries?: number;
  /**
   * Execution-guided fallback (fallback.ts): a rejected step (or final query, see `onFinal`) backs up to its most
   * uncertain token and takes the next-best allowed one instead, up to this many times per step, before
   * `stepRetries` resampling. `retryable` tells `onStep` / `onFinal` whether a rejection will be acted on.
   */
  fallbackTries?: number;
  /** Called at the end token with the whole chain: false rejects the final query (it fails to execute). */
  onFinal?: (text: string, retryable: boolean) => boolean | Promise<boolean>;
  /**
   * The shortest valid close of a chain (the whole closed text, which may cut the chain back to its last finished
   * step), or null when there is none: forced when the token budget nears its end, so a chain always closes.
   */
  close?: (text: string) => string | null;
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
  resume?: Pick<DecodeResult, 'tokenIds' | 'entropies' | 'tokenEnds'> & { logProbs?: number[] };
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
  /**
   * Log-probability of each token under the distribution it was drawn from (after the constraint, at temperature 1
   * when greedy); 0 for tokens the close forced. Their sum is the chain's sequence log-probability.
   */
  logProbs: number[];
  /** Character offset in `text` where each token ends (maps tokens to steps). */
  tokenEnds: number[];
  /**
   * Why decoding ended; 'dead-end': the constraint found no token that keeps the chain valid SQL; 'closed': the
   * token budget ran out and `close` completed the chain.
   */
  stopped: 'eos' | 'length' | 'aborted' | 'step' | 'dead-end' | 'closed';
  /** Steps that were rejected and written again. */
  resampledSteps: number;
  /** Times the execution-guided fallback backed up and took another token. */
  fallbacks: number;
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

/** Tokens before the budget's end from which `close` is consulted at every token. */
const CLOSE_RESERVE = 24;

/** The token budget of a chain: `maxNewTokens`, and no more than the model's context leaves after the prompt. */
export function chainBudget(lm: Pick<CausalLM, 'contextLength'>, promptTokens: number, maxNewTokens = DEFAULT_MAX_NEW_TOKENS): number {
  return lm.contextLength ? Math.max(1, Math.min(maxNewTokens, lm.contextLength - promptTokens)) : maxNewTokens;
}

export async function decode(lm: CausalLM, tok: TextTokenizer, prompt: string, opts: DecodeOptions = {}): Promise<DecodeResult> {
  const temperature = opts.temperature ?? 0;
  const rng = mulberry32(opts.seed ?? 1);
  const shared = opts.prefilled?.prompt === prompt ? opts.prefilled : undefined;
  const start = shared ?? (await prefill(lm, tok, prompt));
  const maxNew = chainBudget(lm, start.promptTokens, opts.maxNewTokens);
  let { logits, past } = start;
  const prefillMs = shared ? 0 : start.prefillMs;
  // Never release the shared prompt cache: other candidates decode from it.
  const release = (p: unknown) => {
    if (!shared || p !== shared.past) lm.release?.(p);
  };
  const ids: number[] = [];
  const entropies: number[] = [];
  const logProbs: number[] = [];
  const tokenEnds: number[] = [];
  let text = '';
  if (opts.resume?.tokenIds.length) {
    const r = opts.resume;
    const out = await lm.forward(r.tokenIds, past);
    release(past);
    ({ logits, past } = out);
    ids.push(...r.tokenIds);
    entropies.push(...r.entropies);
    logProbs.push(...(r.logProbs ?? r.tokenIds.map(() => 0)));
    tokenEnds.push(...r.tokenEnds);
    text = tok.decode(ids);
  }
  const resumed = ids.length;
  let steps = stepEnds(text).length;
  let stopped: DecodeResult['stopped'] = 'length';
  let resampled = 0;
  let fellBack = 0;
  let fedTokens = 0;
  const log = (opts.fallbackTries ?? 0) > 0 ? new FallbackLog() : null;
  // Where the current step started, to rewind to when the step is rejected.
  let mark = { past, logits, n: ids.length, retries: 0, fallbacks: 0 };
  let temp = temperature;
  const truncate = (n: number) => {
    ids.length = n;
    entropies.length = n;
    logProbs.length = n;
    tokenEnds.length = n;
    text = tok.decode(ids);
    log?.truncate(n);
  };
  // Back to the start of the current step, to write it again by sampling.
  const rewind = () => {
    resampled++;
    if (past !== mark.past) release(past);
    past = mark.past;
    logits = mark.logits;
    truncate(mark.n);
    mark.retries++;
    temp = opts.retryTemperature ?? 0.8;
  };
  // The execution-guided fallback: the current step's most uncertain token and its next-best alternative.
  let backup: { pos: number; id: number } | null = null;
  const findBackup = () =>
    mark.fallbacks < (opts.fallbackTries ?? 0) && log
      ? log.pick(mark.n, ids.length, (pos) => text.slice(0, pos > 0 ? tokenEnds[pos - 1]! : 0), (pos) => ids[pos]!)
      : null;
  const retryable = () => {
    backup = findBackup();
    return backup !== null || mark.retries < (opts.stepRetries ?? 0);
  };
  // Takes the alternative token at `pos` (the cache is rebuilt from the step's start).
  const fallBack = async (b: { pos: number; id: number }) => {
    fellBack++;
    mark.fallbacks++;
    if (past !== mark.past) release(past);
    const entropy = entropies[b.pos]!;
    const logProb = logProbs[b.pos]!;
    const replay = ids.slice(mark.n, b.pos);
    truncate(b.pos);
    let p = mark.past;
    if (replay.length) p = (await lm.forward(replay, mark.past)).past;
    ids.push(b.id);
    entropies.push(entropy);
    logProbs.push(logProb);
    text = tok.decode(ids);
    tokenEnds.push(text.length);
    const out = await lm.forward([b.id], p);
    if (p !== mark.past) release(p);
    ({ logits, past } = out);
  };
  // Closes the chain with `closed` (see DecodeOptions.close): appended, or after cutting back to a shared prefix.
  const applyClose = (closed: string) => {
    let keep = ids.length;
    if (!closed.startsWith(text)) {
      keep = 0;
      while (keep < ids.length && closed.startsWith(text.slice(0, tokenEnds[keep]!))) keep++;
      truncate(keep);
    }
    for (const id of tok.encode(closed.slice(text.length))) {
      ids.push(id);
      entropies.push(0);
      logProbs.push(0);
      text = tok.decode(ids);
      tokenEnds.push(text.length);
    }
  };
  const t1 = now();
  let closeLen = CLOSE_RESERVE; // the length of the last close computed (see below)
  while (ids.length - resumed < maxNew) {
    const generated = ids.length - resumed;
    if (opts.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    // Near the budget's end: close when the close would no longer fit. The close is recomputed only when the tokens
    // left reach the length of the last one computed (a close is a search; chains that ramble reach here often).
    if (opts.close && generated >= maxNew - CLOSE_RESERVE && maxNew - generated <= closeLen + 1) {
      const closed = opts.close(text);
      closeLen = closed === null ? 0 : tok.encode(closed.slice(commonPrefix(closed, text))).length;
      if (closed !== null && closeLen >= maxNew - generated - 1) {
        applyClose(closed);
        stopped = 'closed';
        break;
      }
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
    log?.record(ids.length, logits, probs);
    const next = temp > 0 ? sample(probs, rng) : argmax(logits);
    if (next === tok.eosId) {
      entropies.pop();
      if (opts.onFinal && !(await opts.onFinal(text, retryable()))) {
        if (backup) {
          await fallBack(backup);
          continue;
        }
      }
      stopped = 'eos';
      break;
    }
    ids.push(next);
    logProbs.push(Math.log(probs[next]!));
    text = tok.decode(ids);
    tokenEnds.push(text.length);
    opts.onToken?.(text, ids.length);
    const out = await lm.forward([next], past);
    if (past !== mark.past) release(past);
    logits = out.logits;
    past = out.past;
    const ended = stepEnds(text).length;
    if (ended > steps) {
      const verdict = await opts.onStep?.(text, ended - 1, retryable());
      if (verdict === false && backup) {
        await fallBack(backup);
        continue;
      }
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
      mark = { past, logits, n: ids.length, retries: 0, fallbacks: 0 };
      temp = temperature;
      if (opts.maxSteps !== undefined && steps >= opts.maxSteps) {
        stopped = 'step';
        break;
      }
    }
  }
  if ((stopped === 'length' || stopped === 'dead-end') && opts.close) {
    const closed = opts.close(text);
    if (closed !== null) {
      applyClose(closed);
      stopped = 'closed';
    }
  }
  // Steps the close finished (or cut back) run as the decoded ones did.
  if (stopped === 'closed' && opts.onStep) {
    const ends = stepEnds(text);
    for (let k = Math.min(steps, ends.length); k < ends.length; k++) await opts.onStep(text.slice(0, ends[k]), k, false);
  }
  if (past !== mark.past) release(mark.past);
  release(past);
  return { text, tokenIds: ids, entropies, logProbs, tokenEnds, stopped, promptTokens: start.promptTokens, prefillMs, decodeMs: now() - t1, resampledSteps: resampled, fallbacks: fellBack, feedbackTokens: fedTokens };
}

/** The length of the longest common prefix of two texts. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
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
