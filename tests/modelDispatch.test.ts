import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { modelDispatcher } from '../src/workers/modelDispatch';
import type { ModelEvent, ModelRequest } from '../src/workers/modelProtocol';
import { fixtureEngine } from './helpers';

/**
 * The model worker's dispatcher in Node (onnxruntime-web's WASM build, no GPU), on the tiny bring-your-own-model
 * fixture (GQA, fp16 cache and logits, q4 MatMulNBits, external weights, chat template): it loads from files by path,
 * reports what it chose, answers a question with steps run on a real sql.js engine, and names a damaged file.
 */
const DIR = 'e2e/fixtures/hub/cocte/tiny-gqa-chat';

function folder(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const p of readdirSync(DIR, { recursive: true, encoding: 'utf8' })) {
    const full = join(DIR, p);
    if (statSync(full).isFile()) files[relative(DIR, full)] = new Uint8Array(readFileSync(full));
  }
  return files;
}

function start() {
  const events: ModelEvent[] = [];
  let onEvent: (e: ModelEvent) => void = () => undefined;
  const dispatch = modelDispatcher((e) => {
    events.push(e);
    onEvent(e);
  }, { loadOrt: async (_b, threads) => ((ort.env.wasm.numThreads = threads), ort), adapter: async () => null, isolated: false });
  return { events, dispatch, on: (f: (e: ModelEvent) => void) => (onEvent = f) };
}

const load = (files: Record<string, Uint8Array>): ModelRequest => ({ type: 'load', policy: { kind: 'bytes', name: 'cocte/tiny-gqa-chat', files, onnx: 'onnx/model_q4.onnx', data: ['onnx/model_q4.onnx_data'] }, backend: 'auto', threads: 1 });

describe('model dispatcher with a brought model', () => {
  it('loads the tiny GQA / fp16 / q4 fixture, says why WASM, and answers with steps that run', async () => {
    const w = start();
    await w.dispatch(load(folder()));
    const ready = w.events.find((e) => e.type === 'ready');
    expect(ready).toMatchObject({ type: 'ready', backend: 'wasm', diagnostics: { prompt: 'chat', cacheType: 'float16', adapter: null, threads: 1 } });
    expect(ready?.type === 'ready' && ready.diagnostics.reason).toMatch(/no WebGPU adapter/);

    const engine = await fixtureEngine('concert_singer.sqlite');
    const answered = new Promise<ModelEvent>((resolve) =>
      w.on((e) => {
        if (e.type === 'runSql') void w.dispatch({ type: 'sqlResult', queryId: e.queryId, outcome: engine.query(e.sql, 100) });
        if (e.type === 'done' || e.type === 'askError') resolve(e);
      }),
    );
    void w.dispatch({ type: 'ask', id: 1, question: 'How many singers do we have?', schema: engine.schema(), constrained: true, strategy: 'greedy', n: 1, agg: 'weighted', beamWidth: 2, tokenBeam: 1 });
    const done = await answered;
    expect(done.type).toBe('done');
    if (done.type !== 'done') return;
    expect(done.sql).toMatch(/SELECT/i);
    expect(w.events.filter((e) => e.type === 'step').length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('names a damaged ONNX file and a missing one', async () => {
    const files = folder();
    const bad = files['onnx/model_q4.onnx']!.slice();
    bad.fill(0xff, 0, 256);
    const w = start();
    await w.dispatch(load({ ...files, 'onnx/model_q4.onnx': bad }));
    expect(w.events.at(-1)).toMatchObject({ type: 'loadError', error: expect.stringMatching(/^The model file onnx\/model_q4\.onnx is damaged/) });
    const { 'tokenizer.json': _, ...rest } = files;
    const w2 = start();
    await w2.dispatch(load(rest));
    expect(w2.events.at(-1)).toMatchObject({ type: 'loadError', error: 'The model file tokenizer.json is missing.' });
  }, 60_000);
});
