/**
 * The models' state: loading (bytes of the policy and the PRM together), backend, the question being answered, live
 * tokens per second. The models run in their own worker; each step of a greedy chain is executed by the SQL worker
 * and shown as a card at once, the candidates of the other strategies land in the candidates slice as they complete.
 */
import { create } from 'zustand';
import type { PolicyStep } from '../core/policy';
import type { QueryOutcome } from '../core/types';
import type { ModelEvent, ModelRequest, SearchSettings } from '../workers/modelProtocol';
import { useCandidates } from './candidateStore';
import { engine, ROW_CAP } from './engine';
import { EMBEDDED_POLICY, EMBEDDED_PRM } from './modelFiles';
import { useStudio } from './store';

export interface ModelState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  loaded: number;
  total: number;
  backend: 'webgpu' | 'wasm' | null;
  error: string | null;
  /** The process reward model loads after the policy; without it only greedy and vote work. */
  prm: 'idle' | 'loading' | 'ready' | 'error';
  prmError: string | null;
  askingId: number | null;
  tokensPerSecond: number | null;
  lastAnswer: { question: string; tokens: number; totalMs: number; prmMs: number; stopped: string } | null;
  load(): void;
  ask(question: string, settings?: SearchSettings): void;
  stop(): void;
  /** PRM step scores of a chain for `question`, given each step's outcome (one forward pass). */
  score(question: string, text: string, outcomes: QueryOutcome[]): Promise<number[]>;
}

/** The search form's initial values (answerConfig.ts's defaults); the worker sets everything else. */
export const GREEDY: SearchSettings = { strategy: 'greedy', n: 8, agg: 'weighted', beamWidth: 2, tokenBeam: 1 };
const MAX_TOKEN_BEAM = 8;
const MAX_N = 32;

let worker: Worker | null = null;
let nextId = 1;
let liveSteps: PolicyStep[] = [];
let askedQuestion = '';
const pendingScores = new Map<number, { resolve: (s: number[]) => void; reject: (e: Error) => void }>();

function send(m: ModelRequest): void {
  worker?.postMessage(m);
}

export const useModel = create<ModelState>()((set, get) => ({
  status: 'idle',
  loaded: 0,
  total: 0,
  backend: null,
  error: null,
  prm: 'idle',
  prmError: null,
  askingId: null,
  tokensPerSecond: null,
  lastAnswer: null,

  load() {
    if (worker) return;
    set({ status: 'loading', error: null, loaded: 0, prm: 'loading', prmError: null });
    worker = new Worker(new URL('../workers/model.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<ModelEvent>) => handle(ev.data, set, get);
    worker.onerror = (ev) => {
      ev.preventDefault();
      set({ status: 'error', error: `The model worker failed: ${ev.message}`, askingId: null });
      rejectScores('The model worker failed.');
    };
    const params = new URLSearchParams(location.search);
    const preferWebGpu = params.get('backend') !== 'wasm';
    // `?prm=off` leaves the PRM out (the PRM strategies then say why they cannot run).
    send({ type: 'load', files: EMBEDDED_POLICY, ...(params.get('prm') === 'off' ? {} : { prmFiles: EMBEDDED_PRM }), preferWebGpu });
  },

  ask(question, settings = GREEDY) {
    const schema = useStudio.getState().schema;
    if (!schema) return;
    if (get().status === 'idle') get().load();
    const id = nextId++;
    const s: SearchSettings = { ...settings, n: clampInt(settings.n, 1, MAX_N), beamWidth: clampInt(settings.beamWidth, 1, MAX_N), tokenBeam: clampInt(settings.tokenBeam, 1, MAX_TOKEN_BEAM) };
    liveSteps = [];
    askedQuestion = question;
    set({ askingId: id, tokensPerSecond: null, error: null });
    useCandidates.getState().start(question, s.strategy, s.agg, s.strategy === 'greedy' ? 1 : s.n);
    useStudio.getState().showGenerating([], question);
    const constrained = new URLSearchParams(location.search).get('constrain') !== 'off';
    send({ type: 'ask', id, question, schema, constrained, ...s });
  },

  stop() {
    const id = get().askingId;
    if (id !== null) send({ type: 'stop', id });
  },

  score(question, text, outcomes) {
    const schema = useStudio.getState().schema;
    if (!worker || !schema) return Promise.reject(new Error('The model is not loaded.'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pendingScores.set(id, { resolve, reject });
      send({ type: 'score', id, question, schema, text, outcomes });
    });
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
      set({ status: 'error', error: `${e.error} The studio still works without the model.`, askingId: null, prm: 'error', prmError: null });
      worker?.terminate();
      worker = null;
      rejectScores('The model failed to load.');
      break;
    case 'prmReady':
      set({ prm: 'ready', loaded: get().total });
      break;
    case 'prmError':
      set({ prm: 'error', prmError: e.error });
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
    case 'candidate':
      if (e.id === get().askingId) useCandidates.getState().add(e.index, e.candidate);
      break;
    case 'done':
      if (e.id !== get().askingId) break;
      set({ askingId: null, tokensPerSecond: e.tokensPerSecond, lastAnswer: { question: askedQuestion, tokens: e.tokens, totalMs: e.totalMs, prmMs: e.prmMs, stopped: e.stopped } });
      useCandidates.getState().finish(e.candidates, e.choice);
      break;
    case 'askError':
      if (e.id !== get().askingId) break;
      set({ askingId: null, error: e.error });
      useCandidates.getState().abandon();
      // Nothing was chosen: show the editor's chain again instead of the unfinished one.
      if (useCandidates.getState().strategy !== 'greedy') useStudio.getState().setSql(useStudio.getState().sql);
      break;
    case 'scores':
    case 'scoreError': {
      const p = pendingScores.get(e.id);
      pendingScores.delete(e.id);
      if (e.type === 'scores') p?.resolve(e.scores);
      else p?.reject(new Error(e.error));
      break;
    }
  }
}

function rejectScores(why: string): void {
  for (const p of pendingScores.values()) p.reject(new Error(why));
  pendingScores.clear();
}

function clampInt(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(Number.isFinite(x) ? x : lo)));
}
