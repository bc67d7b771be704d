/**
 * Token-level beam search with execution guidance, for the greedy strategy when `tokenBeam` > 1.
 *
 * Why: under constrained decoding a small policy is sometimes forced off its own path (`FROM Has_` when it meant a
 * table of another schema), and greedy then commits to whatever the mask leaves, however unlikely, and writes on
 * from there. Beam search keeps the `width` most likely partial chains instead. Hypotheses are ranked by the sum of
 * the policy's log-probabilities of their tokens *before* the mask, so a chain that needed a token the model gave
 * 0.001 ranks low and a chain the model believes in wins. Every time a hypothesis finishes a CoCTE step (and when
 * it ends) its SQL is run (`check`); a step that fails to execute adds a large penalty, so a chain whose views all
 * run beats one that does not, as in execution-guided decoding. Ranking by raw sums makes the stopping rule exact:
 * log-probabilities only fall, so once the best finished chain scores at least the best open one, nothing open can
 * overtake it.
 *
 * Cost: up to `width` forward passes (and constraint checks) per generated position. The prompt's KV cache is
 * shared; each hypothesis holds its own cache, released as soon as its children exist.
 */
import { chainBudget, entropy, now, prefill, softmax, stepEnds, topIndices, type CausalLM, type DecodeOptions, type DecodeResult } from './decode';
import type { TextTokenizer } from './tokenizer';

export interface BeamDecodeOptions extends Pick<DecodeOptions, 'maxNewTokens' | 'constrain' | 'signal' | 'prefilled' | 'onToken'> {
  width: number;
  /**
   * Runs the chain written so far: step `stepIndex` when a step has just been closed, or the whole chain when
   * `final`. Resolves false when it fails to execute.
   */
  check?: (text: string, stepIndex: number, final: boolean) => Promise<boolean>;
}

/** Added to a hypothesis' score for each step (or final query) that fails to execute. */
export const FAIL_PENALTY = 1000;

interface Hyp {
  ids: number[];
  entropies: number[];
  logProbs: number[];
  tokenEnds: number[];
  text: string;
  logp: number;
  penalty: number;
  steps: number;
  logits: Float32Array;
  past: unknown;
}

interface Proposal {
  parent: Hyp;
  id: number;
  logp: number;
  entropy: number;
}

export async function beamDecode(lm: CausalLM, tok: TextTokenizer, prompt: string, opts: BeamDecodeOptions): Promise<DecodeResult> {
  const width = Math.max(1, opts.width);
  const shared = opts.prefilled?.prompt === prompt ? opts.prefilled : undefined;
  const start = shared ?? (await prefill(lm, tok, prompt));
  const maxNew = chainBudget(lm, start.promptTokens, opts.maxNewTokens);
  const release = (p: unknown) => {
    if (p !== start.past) lm.release?.(p);
  };
  const score = (h: Pick<Hyp, 'logp' | 'penalty'>) => h.logp - h.penalty;
  let live: Hyp[] = [{ ids: [], entropies: [], logProbs: [], tokenEnds: [], text: '', logp: 0, penalty: 0, steps: 0, logits: start.logits, past: start.past }];
  const finished: Hyp[] = [];
  /** Open chains the constraint found no way to continue: returned only when there is nothing else. */
  const dead: Hyp[] = [];
  let stopped: DecodeResult['stopped'] = 'length';
  const t0 = now();
  for (let t = 0; t < maxNew && live.length > 0; t++) {
    if (opts.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const proposals: Proposal[] = [];
    for (const h of live) {
      const logZ = logSumExp(h.logits);
      const masked = Float32Array.from(h.logits);
      if (opts.constrain?.(h.text, masked) === false) {
        dead.push({ ...h, past: null }); // a syntax dead end: this chain cannot be continued
        continue;
      }
      const ent = entropy(softmax(masked));
      for (const id of topIndices(masked, width).filter((i) => masked[i] !== -Infinity)) proposals.push({ parent: h, id, logp: h.logits[id]! - logZ, entropy: ent });
    }
    proposals.sort((a, b) => score(b.parent) + b.logp - (score(a.parent) + a.logp));
    const next: Hyp[] = [];
    for (const p of proposals) {
      if (next.length >= width) break;
      const h = p.parent;
      if (p.id === tok.eosId) {
        const done: Hyp = { ...h, logp: h.logp + p.logp, past: null };
        if (opts.check && !(await opts.check(h.text, h.steps, true))) done.penalty += FAIL_PENALTY;
        finished.push(done);
        continue;
      }
      const ids = [...h.ids, p.id];
      const text = tok.decode(ids);
      const out = await lm.forward([p.id], h.past);
      const child: Hyp = {
        ids,
        entropies: [...h.entropies, p.entropy],
        logProbs: [...h.logProbs, p.logp],
        tokenEnds: [...h.tokenEnds, text.length],
        text,
        logp: h.logp + p.logp,
        penalty: h.penalty,
        steps: h.steps,
        logits: out.logits,
        past: out.past,
      };
      const ended = stepEnds(text).length;
      if (ended > child.steps) {
        if (opts.check && !(await opts.check(text, ended - 1, false))) child.penalty += FAIL_PENALTY;
        child.steps = ended;
      }
      next.push(child);
    }
    for (const h of live) release(h.past);
    live = next;
    // The best open chain so far, once per position (the studio streams it).
    if (live[0]) opts.onToken?.(live[0].text, live[0].ids.length);
    const bestDone = Math.max(...finished.map(score));
    if (finished.length > 0 && live.every((h) => score(h) <= bestDone)) {
      stopped = 'eos';
      break;
    }
  }
  for (const h of live) release(h.past);
  // At the token budget (or when stopped) an open chain that outscores every finished one is returned as it is.
  let pool = stopped === 'eos' ? finished : [...finished, ...live];
  if (pool.length === 0) pool = dead;
  if (pool.length === 0) throw new Error('Beam search ended without a chain.');
  const best = pool.reduce((a, b) => (score(b) > score(a) ? b : a));
  if (stopped !== 'aborted') stopped = finished.includes(best) ? 'eos' : dead.includes(best) ? 'dead-end' : 'length';
  return {
    text: best.text,
    tokenIds: best.ids,
    entropies: best.entropies,
    logProbs: best.logProbs,
    tokenEnds: best.tokenEnds,
    stopped,
    resampledSteps: 0,
    fallbacks: 0,
    feedbackTokens: 0,
    promptTokens: start.promptTokens,
    prefillMs: shared ? 0 : start.prefillMs,
    decodeMs: now() - t0,
  };
}

function logSumExp(xs: Float32Array): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}
