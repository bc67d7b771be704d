import { describe, expect, it } from 'vitest';
import { decode, entropy, prefill, softmax, type CausalLM } from '../src/core/decode';
import type { TextTokenizer } from '../src/core/tokenizer';

// A scripted toy model: the vocabulary is whole chunks of CoCTE text.
const VOCAB = ['<eos>', 'WITH\n  s1 AS (\n    SELECT x FROM t\n  ),\n', '  s2 AS (\n    SELECT y FROM s1\n  )\n', 'SELECT * FROM s2', 'WITH\n  s1 AS (\n    SELECT nope\n  ),\n'];
const tok: TextTokenizer = {
  encode: () => [0],
  decode: (ids) => ids.map((i) => (i === 0 ? '' : VOCAB[i])).join(''),
  eosId: 0,
};

/** Prefers the broken first step (4) over the good one (1) at position 1, then s2, the final query, and the end. */
class Scripted implements CausalLM {
  readonly vocabSize = VOCAB.length;
  forwards = 0;
  async forward(ids: number[], past: unknown | null) {
    this.forwards++;
    const len = ((past as number | null) ?? 0) + ids.length;
    const logits = new Float32Array(VOCAB.length).fill(-5);
    if (len === 1) {
      logits[4] = 2;
      logits[1] = 1.8;
    } else if (len === 2) logits[2] = 3;
    else if (len === 3) logits[3] = 3;
    else logits[0] = 3;
    return { logits, past: len };
  }
}

describe('decode', () => {
  it('greedy: writes the chain, reports each finished step, records an entropy per token', async () => {
    const seen: number[] = [];
    const r = await decode(new Scripted(), tok, 'prompt', { onStep: (_t, i) => void seen.push(i) });
    expect(r.text).toBe(VOCAB[4]! + VOCAB[2]! + VOCAB[3]!);
    expect(seen).toEqual([0, 1]);
    expect(r.stopped).toBe('eos');
    expect(r.entropies).toHaveLength(3);
    expect(r.entropies[0]!).toBeGreaterThan(r.entropies[1]!);
    // The log-probability of each chosen token under the distribution it came from.
    const first = softmax(new Float32Array([-5, 1.8, -5, -5, 2]));
    expect(r.logProbs).toHaveLength(3);
    expect(r.logProbs[0]!).toBeCloseTo(Math.log(first[4]!), 6);
    expect(r.logProbs[1]!).toBeCloseTo(Math.log(softmax(new Float32Array([-5, -5, 3, -5, -5]))[2]!), 6);
  });

  it('rewinds and resamples a step that is rejected, keeping the cache of the steps before it', async () => {
    const lm = new Scripted();
    const r = await decode(lm, tok, 'prompt', {
      seed: 7,
      stepRetries: 20,
      onStep: (text) => !text.includes('nope'),
    });
    expect(r.text).toBe(VOCAB[1]! + VOCAB[2]! + VOCAB[3]!);
    expect(r.resampledSteps).toBeGreaterThan(0);
    expect(r.tokenIds).toEqual([1, 2, 3]);
    expect(r.entropies).toHaveLength(3);
  });

  it('feeds an execution summary into the context without adding it to the text', async () => {
    const fedIds: number[][] = [];
    const lm = new Scripted();
    const spy: CausalLM = {
      vocabSize: lm.vocabSize,
      forward: (ids, past) => {
        fedIds.push(ids);
        return lm.forward(ids, past);
      },
    };
    const feedTok: TextTokenizer = { ...tok, encode: (s) => (s === 'prompt' ? [0] : [9, 9]) };
    const r = await decode(spy, feedTok, 'prompt', { onStep: () => '  -- 3 rows\n', maxNewTokens: 2 });
    expect(r.feedbackTokens).toBe(2);
    expect(fedIds).toContainEqual([9, 9]);
    expect(r.text).toBe(VOCAB[4]!);
  });

  it('decodes several candidates from one prefilled prompt without releasing its cache', async () => {
    const lm = new Scripted();
    const released: unknown[] = [];
    const counted: CausalLM = { vocabSize: lm.vocabSize, forward: (ids, past) => lm.forward(ids, past), release: (p) => void released.push(p) };
    const pre = await prefill(counted, tok, 'prompt');
    const a = await decode(counted, tok, 'prompt', { prefilled: pre, temperature: 1, seed: 1 });
    const b = await decode(counted, tok, 'prompt', { prefilled: pre, temperature: 1, seed: 2 });
    expect(lm.forwards).toBe(1 + a.tokenIds.length + b.tokenIds.length); // one prefill, then one pass per written token
    expect(released).not.toContain(pre.past);
    expect(a.prefillMs).toBe(0);
    expect(a.promptTokens).toBe(1);
  });

  it('stops at the token budget and when aborted', async () => {
    expect((await decode(new Scripted(), tok, 'p', { maxNewTokens: 2 })).stopped).toBe('length');
    const ctrl = new AbortController();
    ctrl.abort();
    expect((await decode(new Scripted(), tok, 'p', { signal: ctrl.signal })).stopped).toBe('aborted');
  });

  it('ends the chain at a dead end the constraint reports, or writes the step again when retries are allowed', async () => {
    // Token 5 opens a step no valid SQL can follow; the scripted model prefers it to the good first step (1).
    const vocab = [...VOCAB, 'WITH\n  s1 AS (\n    SELECT x USING'];
    const tok5: TextTokenizer = { ...tok, decode: (ids) => ids.map((i) => (i === 0 ? '' : vocab[i])).join('') };
    const lm: CausalLM = {
      vocabSize: vocab.length,
      forward: async (ids, past) => {
        const len = ((past as number | null) ?? 0) + ids.length;
        const logits = new Float32Array(vocab.length).fill(-5);
        if (len === 1) [logits[5], logits[1]] = [2, 1.8];
        else logits[len === 2 ? 2 : len === 3 ? 3 : 0] = 3;
        return { logits, past: len };
      },
    };
    const constrain = (text: string) => !text.endsWith('USING');
    const stuck = await decode(lm, tok5, 'p', { constrain });
    expect(stuck.stopped).toBe('dead-end');
    expect(stuck.text).toBe(vocab[5]);
    const retried = await decode(lm, tok5, 'p', { constrain, stepRetries: 20, seed: 3 });
    expect(retried.stopped).toBe('eos');
    expect(retried.text).toBe(VOCAB[1]! + VOCAB[2]! + VOCAB[3]!);
    expect(retried.resampledSteps).toBeGreaterThan(0);
  });

  it("execution-guided fallback: backs up to the step's most uncertain token and takes the next-best one", async () => {
    const lm = new Scripted();
    const seen: boolean[] = [];
    const r = await decode(lm, tok, 'prompt', {
      fallbackTries: 2,
      onStep: (text, _i, retryable) => {
        seen.push(retryable);
        return !text.includes('nope') || !retryable;
      },
    });
    // Token 4 (a step that fails) led token 1 by the smallest margin: the fallback takes 1 instead, without sampling.
    expect(r.text).toBe(VOCAB[1]! + VOCAB[2]! + VOCAB[3]!);
    expect(r.fallbacks).toBe(1);
    expect(r.resampledSteps).toBe(0);
    expect(r.tokenIds).toEqual([1, 2, 3]);
    expect(r.entropies).toHaveLength(3);
    expect(r.logProbs).toHaveLength(3);
    expect(seen[0]).toBe(true);
  });

  it('keeps a failing step when no fallback is left, and asks the final query too', async () => {
    const kept = await decode(new Scripted(), tok, 'prompt', { fallbackTries: 0, onStep: (_t, _i, retryable) => !retryable });
    expect(kept.text).toBe(VOCAB[4]! + VOCAB[2]! + VOCAB[3]!);
    const finals: string[] = [];
    const r = await decode(new Scripted(), tok, 'prompt', {
      fallbackTries: 1,
      onFinal: (text, retryable) => {
        finals.push(text);
        return !text.includes('nope') || !retryable;
      },
    });
    // The final query fails (its chain reads the broken step): the fallback backs up within the final part only,
    // where no alternative exists, so the chain is kept as it is.
    expect(finals.length).toBeGreaterThan(0);
    expect(r.stopped).toBe('eos');
  });

  it('closes a chain that reaches the token budget with the close it is given', async () => {
    const closeTok: TextTokenizer = { ...tok, encode: (s) => (s === 'SELECT * FROM s2' ? [3] : [0]) };
    const close = (t: string) => (t.endsWith('  )\n') ? `${t}SELECT * FROM s2` : null);
    const r = await decode(new Scripted(), closeTok, 'prompt', { maxNewTokens: 2, close });
    expect(r.stopped).toBe('closed');
    expect(r.text).toBe(VOCAB[4]! + VOCAB[2]! + VOCAB[3]!);
    expect(r.tokenIds).toEqual([4, 2, 3]);
    expect(r.entropies).toHaveLength(3);
    // A token the close forced has probability 1.
    expect(r.logProbs).toHaveLength(3);
    expect(r.logProbs[2]).toBe(0);
    // Without a close the chain stops open.
    expect((await decode(new Scripted(), closeTok, 'prompt', { maxNewTokens: 2 })).stopped).toBe('length');
  });

  it('computes entropy in nats', () => {
    expect(entropy(softmax(new Float32Array([0, 0, 0, 0])))).toBeCloseTo(Math.log(4), 6);
    expect(entropy(softmax(new Float32Array([100, 0])))).toBeCloseTo(0, 6);
  });
});
