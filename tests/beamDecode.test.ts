import { describe, expect, it } from 'vitest';
import { beamDecode } from '../src/core/beamDecode';
import { decode, prefill, type CausalLM } from '../src/core/decode';
import type { TextTokenizer } from '../src/core/tokenizer';

// Whole chunks of text as tokens; the model's next-token preferences depend on the history (its "cache").
const VOCAB = ['<eos>', 'A', 'B', 'x', 'y', 'WITH\n  s1 AS (\n    SELECT bad\n  )\n', 'WITH\n  s1 AS (\n    SELECT good\n  )\n', 'SELECT * FROM s1'];
const tok: TextTokenizer = { encode: () => [0], decode: (ids) => ids.map((i) => (i === 0 ? '' : VOCAB[i])).join(''), eosId: 0 };

/** Logits from a table keyed by the text so far; anything not listed gets -8. */
class Table implements CausalLM {
  readonly vocabSize = VOCAB.length;
  live = new Set<string>();
  constructor(private readonly table: Record<string, Partial<Record<number, number>>>) {}
  async forward(ids: number[], past: unknown | null) {
    const hist = [...((past as number[] | null) ?? []), ...ids].filter((i) => i !== 0);
    const key = tok.decode(hist);
    const logits = new Float32Array(VOCAB.length).fill(-8);
    for (const [id, v] of Object.entries(this.table[key] ?? { 0: 5 })) logits[Number(id)] = v!;
    const cache = [...((past as number[] | null) ?? []), ...ids];
    this.live.add(cache.join());
    return { logits, past: cache };
  }
  release(past: unknown) {
    this.live.delete((past as number[]).join());
  }
}

// The model prefers A (0.6) but after A it wants y, which the constraint forbids; x after A is unlikely. After B, x is likely.
const forced = () => new Table({ '': { 1: Math.log(0.6), 2: Math.log(0.4) }, A: { 4: 6, 3: -2 }, B: { 3: 6 }, Ax: { 0: 5 }, Bx: { 0: 5 } });
const noY = (text: string, logits: Float32Array) => {
  if (text === 'A') logits[4] = -Infinity;
};

describe('beamDecode', () => {
  it('keeps the chain the model believes in when the constraint forces greedy off its path', async () => {
    const greedy = await decode(forced(), tok, 'q', { constrain: noY });
    expect(greedy.text).toBe('Ax');
    const beam = await beamDecode(forced(), tok, 'q', { width: 2, constrain: noY });
    expect(beam.text).toBe('Bx');
    expect(beam.stopped).toBe('eos');
    expect(beam.tokenIds).toEqual([2, 3]);
    expect(beam.entropies).toHaveLength(2);
    expect(beam.tokenEnds).toEqual([1, 2]);
  });

  it('drops a chain at a dead end the constraint reports, and returns one only when nothing else is left', async () => {
    const lm = forced();
    const stuckAfterA = (text: string) => text !== 'A';
    const beam = await beamDecode(lm, tok, 'q', { width: 2, constrain: stuckAfterA });
    expect(beam.text).toBe('Bx');
    expect(lm.live.size).toBe(1); // only the prompt's cache is still held (the dead chain's was released)
    const allStuck = await beamDecode(forced(), tok, 'q', { width: 2, constrain: (text) => text === '' });
    expect(allStuck.stopped).toBe('dead-end');
    expect(allStuck.text).toBe('A');
  });

  it('with width 1 it is greedy decoding', async () => {
    const beam = await beamDecode(forced(), tok, 'q', { width: 1, constrain: noY });
    expect(beam.text).toBe('Ax');
  });

  it('prefers a chain whose steps execute (execution-guided) over a more likely one that fails', async () => {
    const lm = new Table({ '': { 5: 2, 6: 1 }, [VOCAB[5]!]: { 7: 5 }, [VOCAB[6]!]: { 7: 5 } });
    const checked: [number, boolean][] = [];
    const check = async (text: string, index: number, final: boolean) => {
      checked.push([index, final]);
      return !text.includes('bad');
    };
    const unchecked = await beamDecode(lm, tok, 'q', { width: 2 });
    expect(unchecked.text).toBe(VOCAB[5]! + VOCAB[7]!);
    const r = await beamDecode(lm, tok, 'q', { width: 2, check });
    expect(r.text).toBe(VOCAB[6]! + VOCAB[7]!);
    expect(checked).toContainEqual([0, false]);
    expect(checked).toContainEqual([1, true]);
  });

  it('releases every cache it made and never the shared prompt cache', async () => {
    const lm = forced();
    const pre = await prefill(lm, tok, 'q');
    await beamDecode(lm, tok, 'q', { width: 3, constrain: noY, prefilled: pre });
    expect([...lm.live]).toEqual([(pre.past as number[]).join()]);
  });

  it('stops at the token budget with the best open chain', async () => {
    const lm = new Table({ '': { 1: 3 }, A: { 1: 3 }, AA: { 1: 3 } });
    const r = await beamDecode(lm, tok, 'q', { width: 2, maxNewTokens: 2 });
    expect(r.text).toBe('AA');
    expect(r.stopped).toBe('length');
  });
});
