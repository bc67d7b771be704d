/**
 * The policy model's state: loading (bytes), backend, the question being answered, live tokens per second.
 * The model runs in its own worker; each step it writes is executed by the SQL worker and shown as a card at once.
 */
import { create } from 'zustand';
import type { PolicyStep } from '../core/policy';
import type { ModelEvent, ModelRequest } from '../workers/modelProtocol';
import { engine, ROW_CAP } from './engine';
import { EMBEDDED_POLICY } from './modelFiles';
import { useStudio } from './store';

export interface ModelState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  loaded: number;
  total: number;
  backend: 'webgpu' | 'wasm' | null;
  error: string | null;
  askingId: number | null;
  tokensPerSecond: number | null;
  lastAnswer: { question: string; tokens: number; totalMs: number; prefillMs: number; stopped: string } | null;
  load(): void;
  ask(question: string): void;
  stop(): void;
}

let worker: Worker | null = null;
let nextId = 1;
let liveSteps: PolicyStep[] = [];

function send(m: ModelRequest): void {
  worker?.postMessage(m);
}

export const useModel = create<ModelState>()((set, get) => ({
  status: 'idle',
  loaded: 0,
  total: 0,
  backend: null,
  error: null,
  askingId: null,
  tokensPerSecond: null,
  lastAnswer: null,

  load() {
    if (worker) return;
    set({ status: 'loading', error: null, loaded: 0 });
    worker = new Worker(new URL('../workers/model.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<ModelEvent>) => handle(ev.data, set, get);
    worker.onerror = (ev) => {
      ev.preventDefault();
      set({ status: 'error', error: `The model worker failed: ${ev.message}`, askingId: null });
    };
    const preferWebGpu = new URLSearchParams(location.search).get('backend') !== 'wasm';
    send({ type: 'load', files: EMBEDDED_POLICY, preferWebGpu });
  },

  ask(question) {
    const schema = useStudio.getState().schema;
    if (!schema) return;
    if (get().status === 'idle') get().load();
    const id = nextId++;
    liveSteps = [];
    set({ askingId: id, tokensPerSecond: null, error: null });
    useStudio.getState().showGenerating([], question);
    const constrained = new URLSearchParams(location.search).get('constrain') !== 'off';
    send({ type: 'ask', id, question, schema, constrained, maxNewTokens: 320 });
  },

  stop() {
    const id = get().askingId;
    if (id !== null) send({ type: 'stop', id });
  },
}));

function handle(e: ModelEvent, set: (p: Partial<ModelState>) => void, get: () => ModelState): void {
  switch (e.type) {
    case 'progress':
      set({ loaded: e.loaded, total: e.total });
      break;
    case 'ready':
      set({ status: 'ready', backend: e.backend });
      break;
    case 'loadError':
      set({ status: 'error', error: `${e.error} The studio still works without the model.`, askingId: null });
      worker?.terminate();
      worker = null;
      break;
    case 'runSql':
      void engine.query(e.sql, ROW_CAP).then((outcome) => send({ type: 'sqlResult', queryId: e.queryId, outcome }));
      break;
    case 'tokens':
      if (e.id === get().askingId) set({ tokensPerSecond: e.tokensPerSecond });
      break;
    case 'step':
      if (e.id !== get().askingId) break;
      liveSteps = [...liveSteps, e.step];
      useStudio.getState().showGenerating(liveSteps);
      break;
    case 'done':
      if (e.id !== get().askingId) break;
      set({ askingId: null, tokensPerSecond: e.tokensPerSecond, lastAnswer: { question: '', tokens: e.tokens, totalMs: e.totalMs, prefillMs: e.prefillMs, stopped: e.stopped } });
      useStudio.getState().setSql(e.sql);
      break;
    case 'askError':
      set({ askingId: null, error: e.error });
      break;
  }
}
