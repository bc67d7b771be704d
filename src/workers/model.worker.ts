/// <reference lib="webworker" />
/**
 * Model worker: loads a decoder folder (config + tokenizer + ONNX) with byte progress, picks WebGPU when the
 * browser has an adapter (WASM otherwise), and answers questions step by step. SQL runs on the page's SQL worker:
 * each step is sent back as a `runSql` request, so its rows appear while the next step is being written.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { IdentifierConstraint, tokenTexts } from '../core/constrain';
import { answer } from '../core/policy';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import type { QueryOutcome } from '../core/types';
import type { ModelEvent, ModelFiles, ModelRequest } from './modelProtocol';
import { OrtCausalLM } from './ortCausalLM';

const post = (e: ModelEvent) => (self as DedicatedWorkerGlobalScope).postMessage(e);
let lm: OrtCausalLM | null = null;
let tok: TextTokenizer | null = null;
let vocabTexts: string[] = [];
let nextQuery = 1;
const pendingSql = new Map<number, (o: QueryOutcome) => void>();
const aborts = new Map<number, AbortController>();
let loading: Promise<void> | null = null;

ort.env.wasm.numThreads = 1;

async function fetchWithProgress(url: string, file: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`The model file ${file} is missing (HTTP ${res.status}).`);
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
    onBytes(value.byteLength);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function load(files: ModelFiles, preferWebGpu: boolean): Promise<void> {
  const t0 = performance.now();
  const sizes = await Promise.all(Object.values(files).map(async (u) => Number((await fetch(u, { method: 'HEAD' })).headers.get('content-length') ?? 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let loaded = 0;
  const get = (key: keyof ModelFiles) => fetchWithProgress(files[key], key, (n) => post({ type: 'progress', loaded: (loaded += n), total, file: key }));
  const text = async (key: keyof ModelFiles) => JSON.parse(new TextDecoder().decode(await get(key)));
  const config = await text('config');
  tok = loadTokenizer(await text('tokenizer'), await text('tokenizerConfig'));
  const bytes = await get('onnx');
  let backend: 'webgpu' | 'wasm' = 'wasm';
  if (preferWebGpu && 'gpu' in navigator) {
    try {
      const adapter = await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter();
      if (adapter) {
        lm = await OrtCausalLM.create(ort, bytes, config, ['webgpu']);
        backend = 'webgpu';
      }
    } catch {
      lm = null;
    }
  }
  if (!lm) lm = await OrtCausalLM.create(ort, bytes, config, ['wasm']);
  vocabTexts = tokenTexts(tok.decode, lm.vocabSize);
  post({ type: 'ready', backend, loadMs: performance.now() - t0 });
}

function runSql(sql: string): Promise<QueryOutcome> {
  const queryId = nextQuery++;
  return new Promise((resolve) => {
    pendingSql.set(queryId, resolve);
    post({ type: 'runSql', queryId, sql });
  });
}

self.onmessage = async (ev: MessageEvent<ModelRequest>) => {
  const m = ev.data;
  if (m.type === 'load') {
    loading = load(m.files, m.preferWebGpu).catch((e) => post({ type: 'loadError', error: e instanceof Error ? e.message : String(e) }));
    await loading;
  } else if (m.type === 'sqlResult') {
    pendingSql.get(m.queryId)?.(m.outcome);
    pendingSql.delete(m.queryId);
  } else if (m.type === 'stop') {
    aborts.get(m.id)?.abort();
  } else if (m.type === 'ask') {
    if (loading) await loading; // a question asked while the model loads waits for it
    if (!lm || !tok) {
      post({ type: 'askError', id: m.id, error: 'The model is not loaded yet.' });
      return;
    }
    const ctrl = new AbortController();
    aborts.set(m.id, ctrl);
    const t0 = performance.now();
    try {
      const constraint = m.constrained ? new IdentifierConstraint(m.schema, vocabTexts) : null;
      let tStart = 0;
      const res = await answer(lm, tok, m.schema, m.question, runSql, {
        maxNewTokens: m.maxNewTokens,
        signal: ctrl.signal,
        ...(constraint ? { constrain: (text: string, logits: Float32Array) => constraint.apply(text, logits) } : {}),
        onToken: (text, tokens) => {
          if (tokens === 1) tStart = performance.now();
          if (tokens % 4 === 0) post({ type: 'tokens', id: m.id, text, tokens, tokensPerSecond: tokens / Math.max(1e-3, (performance.now() - tStart) / 1000) });
        },
        onStep: (step) => post({ type: 'step', id: m.id, step, text: '' }),
      });
      const d = res.decoded;
      post({
        type: 'done',
        id: m.id,
        sql: res.sql,
        text: res.text,
        steps: res.steps,
        tokens: d.tokenIds.length,
        tokensPerSecond: d.tokenIds.length / Math.max(1e-3, d.decodeMs / 1000),
        prefillMs: d.prefillMs,
        totalMs: performance.now() - t0,
        stopped: d.stopped,
      });
    } catch (e) {
      post({ type: 'askError', id: m.id, error: e instanceof Error ? e.message : String(e) });
    } finally {
      aborts.delete(m.id);
    }
  }
};
