import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { decode } from '../src/core/decode';
import { loadTokenizer } from '../src/core/tokenizer';
import { modelDispatcher } from '../src/workers/modelDispatch';
import type { ModelEvent } from '../src/workers/modelProtocol';
import { OrtCausalLM, POSITION_INPUTS, positionInputs } from '../src/workers/ortCausalLM';
import fixtures from './fixtures/policy-logits.json';

/**
 * The tiny Hub fixture written around the com.microsoft GroupQueryAttention contrib op (models/train/hub_fixture.py
 * --attention gqa-op: rotary inside the op, no position_ids input, seqlens_k and total_sequence_length computed from
 * attention_mask in the graph, fp16 attention on the fp16 cache) against the same weights exported by torch
 * (attention in plain ONNX ops), both loaded through OrtCausalLM on onnxruntime-web's WASM build in Node, as the studio does.
 */
const OPS = 'e2e/fixtures/hub/cocte/tiny-gqa-chat';
const GQA = 'e2e/fixtures/hub/cocte/tiny-gqa-op-chat';

const bytes = (path: string) => new Uint8Array(readFileSync(path));
const config = (dir: string) => JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));

async function load(dir: string, onnx = bytes(`${dir}/onnx/model_q4.onnx`)): Promise<OrtCausalLM> {
  ort.env.wasm.numThreads = 1;
  return OrtCausalLM.create(ort, onnx, config(dir), ['wasm'], {}, 'step', { path: 'model_q4.onnx_data', data: bytes(`${dir}/onnx/model_q4.onnx_data`) });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  a.forEach((v, i) => (m = Math.max(m, Math.abs(v - b[i]!))));
  return m;
}

describe('a decoder with the GroupQueryAttention contrib op', () => {
  it('is the torch-exported fixture with attention in one op: same weights file, no position_ids input', async () => {
    expect(Buffer.compare(readFileSync(`${GQA}/onnx/model_q4.onnx_data`), readFileSync(`${OPS}/onnx/model_q4.onnx_data`))).toBe(0);
    const graph = Buffer.from(readFileSync(`${GQA}/onnx/model_q4.onnx`)).toString('latin1');
    expect(graph).toContain('GroupQueryAttention');
    const session = await ort.InferenceSession.create(bytes(`${GQA}/onnx/model_q4.onnx`), { executionProviders: ['wasm'], externalData: [{ path: 'model_q4.onnx_data', data: bytes(`${GQA}/onnx/model_q4.onnx_data`) }] });
    expect(positionInputs(session.inputNames)).toEqual({ known: ['attention_mask'], unknown: [] });
    await session.release();
  });

  it('gives the torch export’s logits, prefill and then step by step with the fp16 KV cache', async () => {
    const [a, b] = [await load(OPS), await load(GQA)];
    expect(b.cacheType).toBe('float16');
    const ids = fixtures[0]!.ids;
    let [x, y] = [await a.forward(ids.slice(0, -3), null), await b.forward(ids.slice(0, -3), null)];
    // fp16 logits (steps of 1/256 to 1/64 here) and fp16 attention in the op against fp32 attention in the torch graph.
    expect(maxDiff(x.logits, y.logits)).toBeLessThan(0.05);
    // One token at a time, then two at once after a past.
    for (const next of [ids.slice(-3, -2), ids.slice(-2)]) {
      const [x2, y2] = [await a.forward(next, x.past), await b.forward(next, y.past)];
      a.release(x.past);
      b.release(y.past);
      [x, y] = [x2, y2];
      expect(maxDiff(x.logits, y.logits)).toBeLessThan(0.05);
    }
    const present = (y.past as { length: number; tensors: Record<string, ort.Tensor> });
    expect(present.length).toBe(ids.length);
    expect(present.tensors['present.0.key']!.dims).toEqual([1, 4, ids.length, 32]);
    await Promise.all([a.dispose(), b.dispose()]);
  }, 60_000);

  it('decodes greedily the same tokens as the torch export', async () => {
    const [a, b] = [await load(OPS), await load(GQA)];
    const tok = loadTokenizer(JSON.parse(readFileSync(`${GQA}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${GQA}/tokenizer_config.json`, 'utf8')));
    for (const f of fixtures.slice(0, 2)) {
      const [da, db] = [await decode(a, tok, f.text, { maxNewTokens: 24 }), await decode(b, tok, f.text, { maxNewTokens: 24 })];
      expect(db.tokenIds.length).toBeGreaterThan(0);
      expect(db.tokenIds).toEqual(da.tokenIds);
    }
    await Promise.all([a.dispose(), b.dispose()]);
  }, 120_000);

  it('fills GroupQueryAttention’s seqlens_k and total_sequence_length for exports that take them as inputs', () => {
    expect(POSITION_INPUTS.seqlens_k!(5, 2)).toEqual({ type: 'int32', data: Int32Array.of(6), dims: [1] });
    expect(POSITION_INPUTS.total_sequence_length!(5, 2)).toEqual({ type: 'int32', data: Int32Array.of(7), dims: [] });
    expect(POSITION_INPUTS.position_ids!(5, 2).data).toEqual(BigInt64Array.of(5n, 6n));
    expect(positionInputs(['input_ids', 'attention_mask', 'seqlens_k', 'total_sequence_length', 'past_key_values.0.key', 'num_logits_to_keep'])).toEqual({
      known: ['attention_mask', 'seqlens_k', 'total_sequence_length'],
      unknown: ['num_logits_to_keep'],
    });
  });

  it('an operator the runtime does not have gets a plain message, not ORT’s', async () => {
    // The op renamed in place (same length, so the protobuf stays valid): ORT says "Fatal error:
    // com.microsoft:GroupQueryAttentiox(-1) is not a registered function/op".
    const graph = Buffer.from(readFileSync(`${GQA}/onnx/model_q4.onnx`)).toString('latin1').replaceAll('GroupQueryAttention', 'GroupQueryAttentiox');
    const files: Record<string, Uint8Array> = {};
    for (const p of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_q4.onnx_data']) files[p] = bytes(`${GQA}/${p}`);
    files['onnx/model_q4.onnx'] = new Uint8Array(Buffer.from(graph, 'latin1'));
    const events: ModelEvent[] = [];
    const dispatch = modelDispatcher((e) => events.push(e), { loadOrt: async (_b, threads) => ((ort.env.wasm.numThreads = threads), ort), adapter: async () => null, isolated: false });
    await dispatch({ type: 'load', policy: { kind: 'bytes', name: 'cocte/tiny-gqa-op-chat', files, onnx: 'onnx/model_q4.onnx', data: ['onnx/model_q4.onnx_data'] }, backend: 'auto', threads: 1 });
    expect(events.at(-1)).toMatchObject({
      type: 'loadError',
      error: "The model file onnx/model_q4.onnx uses the operator GroupQueryAttentiox (com.microsoft), which this browser's ONNX Runtime cannot run. Try another dtype of the model, or another model.",
    });
  }, 60_000);
});
