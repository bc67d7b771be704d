import { beforeAll, describe, expect, it } from 'vitest';
import type { CausalLM } from '../src/core/decode';
import { prmInputIds, type StepScoreModel } from '../src/core/prm';
import { candidateTokenLimit, SAMPLE_MIN_TOKENS, scoredOf, search } from '../src/core/search';
import { replayChain } from '../src/core/policy';
import { bestOfN, leverVote, majorityVote, selectionRules } from '../src/core/selection';
import { AGGREGATORS } from '../src/core/stepWeights';
import type { TextTokenizer } from '../src/core/tokenizer';
import type { QueryOutcome, SchemaInfo } from '../src/core/types';
import type { SqlJsEngine } from '../src/workers/sqljsEngine';
import { fixtureEngine } from './helpers';

// A toy policy whose vocabulary is whole chunks of CoCTE text over concert_singer.
const VOCAB = [
  '<eos>',
  'WITH\n  s1 AS (\n    SELECT Name, Age FROM singer\n  ),\n',
  'WITH\n  s1 AS (\n    SELECT nope FROM singer\n  ),\n',
  '  s2 AS (\n    SELECT Name FROM s1 WHERE Age > 40\n  )\n',
  'SELECT count(*) FROM s2',
  'SELECT Name FROM s2',
];
const tok: TextTokenizer = { encode: () => [0], decode: (ids) => ids.map((i) => (i === 0 ? '' : VOCAB[i])).join(''), eosId: 0 };

/** Step 1: the good or the broken first step (equal odds); then s2; then either final query (count a bit likelier). */
class Toy implements CausalLM {
  readonly vocabSize = VOCAB.length;
  forwards = 0;
  async forward(ids: number[], past: unknown | null) {
    this.forwards++;
    const len = ((past as number | null) ?? 0) + ids.length;
    const logits = new Float32Array(VOCAB.length).fill(-9);
    if (len === 1) logits[1] = logits[2] = 1;
    else if (len === 2) logits[3] = 3;
    else if (len === 3) [logits[4], logits[5]] = [1.3, 1];
    else logits[0] = 3;
    return { logits, past: len };
  }
}

// A toy PRM: one "token" per segment, whose score says whether the step is good. The final `SELECT Name` step is the
// one it prefers, and a failing step (its summary says error) scores low.
const prmTok: TextTokenizer = {
  encode: (text) => [text.includes('-- error') ? 1 : text.includes('SELECT Name FROM s2') ? 3 : 2],
  decode: () => '',
  eosId: 0,
};
const SCORE = [0.5, 0.05, 0.7, 0.95];
const prmModel: StepScoreModel = { maxLength: 512, withExecution: true, scores: async (ids) => Float32Array.from(ids, (i) => SCORE[i]!) };

let engine: SqlJsEngine;
let schema: SchemaInfo;
const run = async (sql: string) => engine.query(sql, 1000);

beforeAll(async () => {
  engine = await fixtureEngine('concert_singer.sqlite');
  schema = engine.schema();
});

describe('search strategies', () => {
  it('greedy writes one chain and runs every step', async () => {
    const r = await search(new Toy(), tok, schema, 'Singers older than 40?', run, { strategy: 'greedy' });
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]!.answer.steps.map((s) => s.outcome.ok)).toEqual([true, true, true]);
    expect(r.choice.index).toBe(0);
  });

  it('vote and best-of-N sample N chains from one prefilled prompt, deterministically per seed', async () => {
    const lm = new Toy();
    const a = await search(lm, tok, schema, 'q', run, { strategy: 'vote', n: 6, seed: 3 });
    const b = await search(new Toy(), tok, schema, 'q', run, { strategy: 'vote', n: 6, seed: 3 });
    expect(a.candidates.map((c) => c.answer.text)).toEqual(b.candidates.map((c) => c.answer.text));
    expect(new Set(a.candidates.map((c) => c.answer.text)).size).toBeGreaterThan(1);
    // One prompt prefill + one forward per generated token (3 or fewer per candidate), no re-prefill per candidate.
    expect(lm.forwards).toBe(1 + a.candidates.reduce((s, c) => s + c.answer.decoded.tokenIds.length, 0));
    expect(a.choice.reason).toMatch(/of 6 candidates return this result/);
  });

  it('makes the first vote / best-of-N candidate the greedy chain unless all are to be sampled', async () => {
    const greedy = await search(new Toy(), tok, schema, 'q', run, { strategy: 'greedy' });
    for (const seed of [1, 2, 3, 4]) {
      const v = await search(new Toy(), tok, schema, 'q', run, { strategy: 'vote', n: 3, seed });
      expect(v.candidates[0]!.answer.text).toBe(greedy.candidates[0]!.answer.text);
    }
    const firsts = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) firsts.add((await search(new Toy(), tok, schema, 'q', run, { strategy: 'vote', n: 1, seed, greedyFirst: false })).candidates[0]!.answer.text);
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("best-of-N drops chains that fail, then picks by PRM aggregate times the policy's probability, summed per result", async () => {
    const r = await search(new Toy(), tok, schema, 'q', run, { strategy: 'bon', n: 8, seed: 1, greedyFirst: false, agg: 'min', prm: { model: prmModel, tok: prmTok } });
    const chosen = r.candidates[r.choice.index]!;
    expect(chosen.answer.steps.at(-1)!.outcome.ok).toBe(true);
    const scored = r.candidates.map(scoredOf);
    expect(r.choice.index).toBe(leverVote(scored, 'min').index);
    expect(scored.every((c) => Number.isFinite(c.logProb) && c.logProb! < 0)).toBe(true);
    // The PRM alone would pick the chain it scores highest; LEVER weighs it by how probable the policy finds it.
    const byPrm = r.candidates[bestOfN(scored, 'min').index]!;
    expect(byPrm.answer.text).toContain('SELECT Name FROM s2');
    expect(byPrm.stepScores).toEqual([0.7, 0.7, 0.95].map((x) => Math.fround(x)));
    for (const c of r.candidates) if (c.answer.text.includes('nope')) expect(c.stepScores[0]).toBeCloseTo(0.05);
    expect(r.choice.reason).toMatch(/policy probability times min PRM score/);
  });

  it('replays a saved chain to the outcomes the search saw, and reports every selection rule over the same candidates', async () => {
    const r = await search(new Toy(), tok, schema, 'q', run, { strategy: 'bon', n: 8, seed: 1, greedyFirst: false, agg: 'min', prm: { model: prmModel, tok: prmTok } });
    const view = (o: QueryOutcome) => (o.ok ? { ok: true, columns: o.result.columns, rows: o.result.rows } : { ok: false, error: o.error });
    for (const c of r.candidates) expect((await replayChain(c.answer.text, run)).map(view)).toEqual(c.answer.steps.map((s) => view(s.outcome)));
    const scored = r.candidates.map(scoredOf);
    const rules = selectionRules(scored, AGGREGATORS, true);
    expect(rules['lever+min']).toBe(r.choice.index);
    expect(rules.min).toBe(bestOfN(scored, 'min').index);
    expect(rules.vote).toBe(majorityVote(scored).index);
    expect(Object.keys(selectionRules(scored, AGGREGATORS, false))).toEqual(['vote', 'vote+prob']);
  });

  it('beam search keeps the partial chains the PRM likes and reuses the prompt cache', async () => {
    const lm = new Toy();
    const r = await search(lm, tok, schema, 'q', run, { strategy: 'beam', n: 6, beamWidth: 1, seed: 5, agg: 'mean', prm: { model: prmModel, tok: prmTok } });
    expect(r.candidates.length).toBeGreaterThan(0);
    const chosen = r.candidates[r.choice.index]!;
    expect(chosen.answer.text).toBe(VOCAB[1]! + VOCAB[3]! + VOCAB[5]!);
    expect(chosen.answer.steps.every((s) => s.outcome.ok)).toBe(true);
    // The broken first step is pruned at depth 0 (width 1): no finished chain starts with it.
    expect(r.candidates.every((c) => !c.answer.text.includes('nope'))).toBe(true);
    // Prompt prefilled once; every expansion resumes from it (one forward for the resumed tokens, one per new token).
    expect(lm.forwards).toBeLessThan(1 + 6 * 3 * 2);
  });

  it('caps sampled candidates at twice the greedy chain (at least 96 tokens), never the greedy one', async () => {
    expect(candidateTokenLimit(0, { maxNewTokens: 320 }, null)).toBe(320);
    expect(candidateTokenLimit(1, { maxNewTokens: 320 }, 60)).toBe(120);
    expect(candidateTokenLimit(1, { maxNewTokens: 320 }, 20)).toBe(SAMPLE_MIN_TOKENS);
    expect(candidateTokenLimit(1, { maxNewTokens: 320 }, 300)).toBe(320);
    expect(candidateTokenLimit(1, { maxNewTokens: 320, sampleTokenRatio: 0 }, 60)).toBe(320);
    expect(candidateTokenLimit(1, { maxNewTokens: 320, greedyFirst: false }, 60)).toBe(320);
    // A policy whose likeliest chain is 4 x's, but whose chains that start with a (sampled) y never end.
    class Rambler implements CausalLM {
      readonly vocabSize = 3;
      async forward(ids: number[], past: unknown | null) {
        const prev = (past as { len: number; first: number | null } | null) ?? { len: 0, first: null };
        const len = prev.len + ids.length;
        const first = prev.len === 1 ? ids[0]! : prev.first;
        const logits = len === 1 ? [-9, 1, 0.9] : first === 2 ? [-9, 5, -9] : len >= 5 ? [5, -9, -9] : [-9, 5, -9];
        return { logits: Float32Array.from(logits), past: { len, first } };
      }
    }
    const ramble: TextTokenizer = { encode: () => [0], decode: (ids) => ids.map((i) => ['', 'x', 'y'][i]).join(''), eosId: 0 };
    const r = await search(new Rambler(), ramble, schema, 'q', run, { strategy: 'vote', n: 6, seed: 1, maxNewTokens: 320 });
    const lengths = r.candidates.map((c) => c.answer.decoded.tokenIds.length);
    expect(lengths[0]).toBe(4);
    expect(lengths.slice(1).every((n) => n <= SAMPLE_MIN_TOKENS)).toBe(true);
    expect(lengths).toContain(SAMPLE_MIN_TOKENS);
    expect(r.candidates.slice(1).some((c) => c.answer.decoded.stopped === 'length')).toBe(true);
  });

  it('needs a PRM for best-of-N and beam', async () => {
    await expect(search(new Toy(), tok, schema, 'q', run, { strategy: 'bon' })).rejects.toThrow(/process reward model/);
  });
});

describe('PRM input', () => {
  const charTok: TextTokenizer = { encode: (t) => Array.from(t, (c) => c.charCodeAt(0)), decode: () => '', eosId: 0 };
  it('puts a score position at the end of every step and cuts the prompt from the left', () => {
    const { ids, positions } = prmInputIds(charTok, ['P'.repeat(100) + 'Q', 'abc', 'de'], 70);
    expect(ids).toHaveLength(70);
    expect(String.fromCharCode(...ids.slice(-6))).toBe('Qabcde');
    expect(positions).toEqual([67, 69]);
  });
  it('keeps a question-first prompt\'s question line when it cuts the prompt', () => {
    const prompt = '-- how many?\n' + '# t(a)\n'.repeat(20);
    const { ids, positions } = prmInputIds(charTok, [prompt, 'abc', 'de'], 70);
    const text = String.fromCharCode(...ids);
    expect(ids).toHaveLength(70);
    expect(text.startsWith('-- how many?\n')).toBe(true);
    expect(text.endsWith('# t(a)\nabcde')).toBe(true);
    expect(positions).toEqual([67, 69]);
    // It fits: nothing cut.
    expect(String.fromCharCode(...prmInputIds(charTok, [prompt, 'x'], 1000).ids)).toBe(prompt + 'x');
  });
  it('drops steps that leave less than 64 prompt tokens', () => {
    const { ids, positions } = prmInputIds(charTok, ['p'.repeat(10), 'x'.repeat(30), 'y'.repeat(30)], 100);
    expect(positions).toEqual([39]);
    expect(ids).toHaveLength(40);
  });
});
