import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { prmInputIds, scoreChain } from '../src/core/prm';
import { loadTokenizer, type TextTokenizer } from '../src/core/tokenizer';
import { OrtStepScorer } from '../src/workers/ortCausalLM';
import fixtures from './fixtures/prm-scores.json';

const dir = 'models/prm';
let prm: OrtStepScorer;
let tok: TextTokenizer;

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
  prm = await OrtStepScorer.create(ort, new Uint8Array(readFileSync(`${dir}/onnx/model_quantized.onnx`)), config);
  tok = loadTokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')));
});

describe('embedded PRM (int8 ONNX in onnxruntime-web, Node)', () => {
  it('builds the training script’s input ids and score positions', () => {
    for (const r of fixtures.records) {
      const input = prmInputIds(tok, r.segments, fixtures.maxLength);
      expect(input.ids).toEqual(r.ids);
      expect(input.positions).toEqual(r.positions);
    }
  });

  it('gives the PyTorch step scores stored at export time (within int8 quantization error)', async () => {
    for (const r of fixtures.records) {
      const s = await prm.scores(r.ids);
      expect(s.length).toBe(r.ids.length);
      r.positions.forEach((p, j) => expect(Math.abs(s[p]! - r.scores[j]!)).toBeLessThan(0.06));
    }
  });

  it('scores every step of a chain, including a prompt too long for the model', async () => {
    const text = 'WITH\n  s1 AS (\n    SELECT *\n    FROM singer\n  )\nSELECT count(*)\nFROM s1';
    const ok = { ok: true as const, result: { columns: ['count(*)'], rows: [[6]], totalRows: 1, truncated: false, elapsedMs: 0 } };
    const longPrompt = `${'# t(a int, b text)\n'.repeat(400)}-- How many singers are there?\n`;
    const scores = await scoreChain(prm, tok, longPrompt, text, [ok, ok]);
    expect(scores).toHaveLength(2);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });
});
