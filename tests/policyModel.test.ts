import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdentifierConstraint, tokenTexts } from '../src/core/constrain';
import { argmax, decode, type CausalLM } from '../src/core/decode';
import { policyPrompt } from '../src/core/policy';
import { lex } from '../src/core/sqlLexer';
import { loadTokenizer, type TextTokenizer } from '../src/core/tokenizer';
import { OrtCausalLM } from '../src/workers/ortCausalLM';
import fixtures from './fixtures/policy-logits.json';
import { fixtureEngine } from './helpers';

const dir = 'models/policy';
let lm: OrtCausalLM;
let tok: TextTokenizer;

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
  lm = await OrtCausalLM.create(ort, new Uint8Array(readFileSync(`${dir}/onnx/model_quantized.onnx`)), config);
  tok = loadTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
});

/** Recomputes the whole sequence at every step: no cache. */
class NoCache implements CausalLM {
  constructor(private readonly inner: OrtCausalLM) {}
  get vocabSize() {
    return this.inner.vocabSize;
  }
  async forward(ids: number[], past: unknown | null) {
    const all = [...((past as number[] | null) ?? []), ...ids];
    const { logits, past: p } = await this.inner.forward(all, null);
    this.inner.release(p);
    return { logits, past: all };
  }
}

describe('embedded policy (int8 ONNX in onnxruntime-web, Node)', () => {
  it('gives the PyTorch logits stored at export time (within int8 quantization error)', async () => {
    for (const f of fixtures) {
      expect(tok.encode(f.text)).toEqual(f.ids);
      const { logits, past } = await lm.forward(f.ids, null);
      lm.release(past);
      let maxDiff = 0;
      f.lastLogits.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i]!))));
      // Dynamic int8 (activations quantized per call): run 4 drifted up to ~0.41 from fp32 PyTorch, the RL policy (its
      // weights quantized a second time after fine-tuning from the dequantized int8 of run 11) 0.69, on logits from
      // about -5 to 21; the argmax must agree.
      expect(maxDiff).toBeLessThan(0.8);
      expect(argmax(logits)).toBe(argmax(Float32Array.from(f.lastLogits)));
    }
  });

  it('decodes the same tokens with the KV cache as with full recomputation', async () => {
    const prompt = fixtures[0]!.text;
    const cached = await decode(lm, tok, prompt, { maxNewTokens: 12 });
    const full = await decode(new NoCache(lm), tok, prompt, { maxNewTokens: 12 });
    expect(cached.tokenIds.length).toBeGreaterThan(0);
    // Dynamic int8 quantizes activations per call, so a late divergence is possible; the first tokens must agree.
    expect(cached.tokenIds.slice(0, 8)).toEqual(full.tokenIds.slice(0, 8));
    expect(cached.entropies.every((h) => h >= 0 && Number.isFinite(h))).toBe(true);
  });

  it('fetching only the new keys and values (present_step.*) gives the same logits as fetching the whole cache', async () => {
    const bytes = new Uint8Array(readFileSync(`${dir}/onnx/model_quantized.onnx`));
    const full = await OrtCausalLM.create(ort, bytes, JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')), ['wasm'], {}, 'full');
    expect(lm.fetchesStepOutputs).toBe(true);
    expect(full.fetchesStepOutputs).toBe(false);
    const ids = fixtures[0]!.ids;
    let a = await lm.forward(ids.slice(0, -3), null);
    let b = await full.forward(ids.slice(0, -3), null);
    // Then one token at a time, and two at once (T > 1 after a past: each head's rows interleave).
    for (const next of [ids.slice(-3, -2), ids.slice(-2)]) {
      const [x, y] = [await lm.forward(next, a.past), await full.forward(next, b.past)];
      lm.release(a.past);
      full.release(b.past);
      [a, b] = [x, y];
      expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
    }
    const [ca, cb] = [a.past as { tensors: Record<string, ort.Tensor> }, b.past as { tensors: Record<string, ort.Tensor> }];
    expect(Object.keys(ca.tensors).sort()).toEqual(Object.keys(cb.tensors).sort());
    for (const k of Object.keys(cb.tensors)) {
      expect(ca.tensors[k]!.dims).toEqual(cb.tensors[k]!.dims);
      expect(Array.from(ca.tensors[k]!.data as Float32Array)).toEqual(Array.from(cb.tensors[k]!.data as Float32Array));
    }
  });

  it('with constrained decoding, writes only names the schema (or the chain itself) defines', async () => {
    const schema = (await fixtureEngine('concert_singer.sqlite')).schema();
    const c = new IdentifierConstraint(schema, tokenTexts(tok.decode, lm.vocabSize));
    for (const q of ['How many singers do we have?', 'List the names of stadiums with capacity above 5000.']) {
      const out = await decode(lm, tok, policyPrompt(q, schema, lm.promptFormat), { maxNewTokens: 80, constrain: (t, l) => c.apply(t, l) });
      const words = lex(out.text).filter((t) => t.kind === 'word');
      expect(words.length).toBeGreaterThan(0);
      // Every word is one the schema or SQL defines (a table name may stand anywhere here: FROM is its context; a
      // function name must be followed by its parenthesis)...
      const tables = new Set(schema.tables.map((t) => t.name.toLowerCase()));
      for (const w of words) {
        const ok = c.allowedWord(w.text, undefined, undefined, out.text[w.end] ?? '') || tables.has(w.text.toLowerCase());
        expect(ok, `${w.text} in ${out.text}`).toBe(true);
      }
      // ...and replayed token by token, the text passes the constraint in context.
      expect(c.firstBlocked(out.tokenIds)).toBe(-1);
    }
  });
});
