/**
 * The models' state: loading (bytes of the policy and the PRM together), backend, the question being answered, live
 * tokens per second. The models run in their own worker; each step of a greedy chain is executed by the SQL worker
 * and shown as a card at once, the candidates of the other strategies land in the candidates slice as they complete.
 * A worker that crashes, stops answering (a ping every second while it loads or answers; no reply within
 * `?modelHangMs=`, default 30 s) or ignores Stop (for 5 s, or half that threshold) is terminated: the studio says what
 * happened, shows the editor's chain again, and loads the model again on the next question (no page reload).
 * The policy is the embedded model unless a model was brought (`useSource`: a Hub model from the cache or a local
 * folder); a brought model that fails to load gives its message and the embedded model is used again.
 */
import { create } from 'zustand';
import type { PolicyStep } from '../core/policy';
import type { QueryOutcome } from '../core/types';
import type { BackendPreference, Diagnostics, ModelEvent, ModelRequest, PolicySource, SearchSettings } from '../workers/modelProtocol';
import { ModelClient } from '../workers/modelClient';
import { wasmThreads } from '../workers/ortCausalLM';
import { useCandidates } from './candidateStore';
import { engine, ROW_CAP } from './engine';
import { EMBEDDED_POLICY, EMBEDDED_PRM } from './modelFiles';
import { useStudio } from './store';

/** A model brought from the Hub cache or a local folder: its name and a way to read its files. */
export interface BroughtModel {
  name: string;
  read(): Promise<Extract<PolicySource, { kind: 'bytes' }>>;
}

export interface ModelState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The policy in use: 'embedded' or the brought model's name. */
  model: string;
  /** What the worker found and chose (diagnostics panel); null until a model is ready. */
  diagnostics: Diagnostics | null;
  loadMs: number | null;
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
  /** Switches the policy (null: the embedded model) and loads it now. */
  useSource(source: BroughtModel | null): void;
  ask(question: string, settings?: SearchSettings): void;
  stop(): void;
  /** PRM step scores of a chain for `question`, given each step's outcome (one forward pass). */
  score(question: string, text: string, outcomes: QueryOutcome[]): Promise<number[]>;
}

/** The search form's initial values (answerConfig.ts's defaults); the worker sets everything else. */
export const GREEDY: SearchSettings = { strategy: 'greedy', n: 8, agg: 'weighted', beamWidth: 2, tokenBeam: 1 };
const MAX_TOKEN_BEAM = 8;
const MAX_N = 32;
/**
 * Silence while busy that counts as a dead worker. The worker answers a ping between forward passes: its longest
 * silence measured over best-of-8 answers on a 2-core machine was 1.1 s, so 30 s leaves room for a much slower one.
 */
const HANG_MS = Math.max(2000, Number(new URLSearchParams(location.search).get('modelHangMs') ?? 30_000) || 30_000);
/** After Stop, the worker has this long to end the answer before it is replaced (it stops within a token or two). */
const STOP_GRACE_MS = Math.min(5000, HANG_MS / 2);

let client: ModelClient | null = null;
let source: BroughtModel | null = null;
let nextId = 1;
let liveSteps: PolicyStep[] = [];
let askedQuestion = '';
const pendingScores = new Map<number, { resolve: (s: number[]) => void; reject: (e: Error) => void }>();

function send(m: ModelRequest): void {
  client?.send(m);
}

export const useModel = create<ModelState>()((set, get) => ({
  status: 'idle',
  model: 'embedded',
  diagnostics: null,
  loadMs: null,
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
    if (client) return;
    set({ status: 'loading', error: null, loaded: 0, prm: 'loading', prmError: null });
    const c = new ModelClient({
      createWorker: () => new Worker(new URL('../workers/model.worker.ts', import.meta.url), { type: 'module' }),
      onEvent: (e: ModelEvent) => c === client && handle(e, set, get),
      onDead: (kind, detail) => {
        if (c !== client) return;
        if (kind === 'hang') return dropWorker(set, get, `The model stopped responding (nothing for ${detail} s), so it was shut down. ${RELOADS}`);
        const what = get().askingId !== null ? 'while answering' : get().status === 'loading' ? 'while loading' : '';
        dropWorker(set, get, `The model worker crashed${what ? ` ${what}` : ''} (${detail}). ${RELOADS}`);
      },
      busy: () => {
        const m = get();
        return m.status === 'loading' || m.prm === 'loading' || m.askingId !== null || pendingScores.size > 0;
      },
      hangMs: HANG_MS,
    });
    client = c;
    const params = new URLSearchParams(location.search);
    const asked = params.get('backend');
    const backend: BackendPreference = asked === 'wasm' || asked === 'webgpu' ? asked : 'auto';
    const threads = Number(params.get('threads')) || wasmThreads(globalThis.crossOriginIsolated === true, navigator.hardwareConcurrency || 1);
    // `?prm=off` leaves the PRM out (the PRM strategies then say why they cannot run).
    const prm = params.get('prm') === 'off' ? {} : { prmFiles: EMBEDDED_PRM };
    const brought = source;
    set({ model: brought?.name ?? 'embedded' });
    if (!brought) return send({ type: 'load', policy: { kind: 'urls', files: EMBEDDED_POLICY }, ...prm, backend, threads });
    c.watch();
    brought.read().then(
      (policy) => {
        if (c !== client) return;
        const total = Object.values(policy.files).reduce((a, b) => a + b.byteLength, 0);
        set({ loaded: total, total });
        c.send({ type: 'load', policy, ...prm, backend, threads }, Object.values(policy.files).map((b) => b.buffer as ArrayBuffer));
      },
      (e: unknown) => {
        if (c !== client) return;
        source = null;
        dropWorker(set, get, `${brought.name} could not be read (${e instanceof Error ? e.message : String(e)}). The embedded model is used again.`, 'error');
      },
    );
  },

  useSource(next) {
    if (get().askingId !== null) get().stop();
    client?.terminate();
    client = null;
    source = next;
    set({ status: 'idle', diagnostics: null, backend: null, error: null, askingId: null });
    get().load();
  },

  ask(question, settings = GREEDY) {
    const schema = useStudio.getState().schema;
    if (!schema) return;
    // No worker: never loaded, or dropped after a failed load or a crash. The model in use loads (again).
    if (!client) get().load();
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
    if (id === null) return;
    send({ type: 'stop', id });
    setTimeout(() => {
      if (get().askingId === id) dropWorker(set, get, `The model did not stop within ${(STOP_GRACE_MS / 1000).toFixed(1)} s, so it was shut down. ${RELOADS}`);
    }, STOP_GRACE_MS);
  },

  score(question, text, outcomes) {
    const schema = useStudio.getState().schema;
    if (!client || !schema) return Promise.reject(new Error('The model is not loaded.'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pendingScores.set(id, { resolve, reject });
      send({ type: 'score', id, question, schema, text, outcomes });
    });
  },
}));

function handle(e: ModelEvent, set: Set, get: () => ModelState): void {
  switch (e.type) {
    case 'progress':
      set({ loaded: e.loaded, total: e.total });
      break;
    case 'ready':
      set({ status: 'ready', backend: e.backend, diagnostics: e.diagnostics, loadMs: e.loadMs });
      break;
    case 'recovered':
      set({ backend: e.diagnostics.backend, diagnostics: e.diagnostics });
      break;
    case 'loadError':
      if (source) {
        const name = source.name;
        source = null;
        dropWorker(set, get, `${name} did not load: ${e.error} The embedded model is used again (the next question loads it).`, 'error');
        set({ model: 'embedded' });
      } else dropWorker(set, get, `${e.error} The studio still works without the model; the next question tries to load it again.`, 'error');
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
      // Nothing was chosen, or greedy wrote no step: show the editor's chain again instead of the unfinished one
      // (greedy's written steps stay shown with the error).
      if (useCandidates.getState().strategy !== 'greedy' || liveSteps.length === 0) useStudio.getState().setSql(useStudio.getState().sql);
      break;
    case 'pong':
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

const RELOADS = 'The next question loads it again; the studio works without it meanwhile.';

type Set = (p: Partial<ModelState>) => void;

/**
 * Terminates the worker after a failed load, a crash, a hang or an ignored Stop: the question being answered is
 * abandoned (the editor's chain is shown again), pending PRM scores are rejected, and `ask` starts a new worker.
 */
function dropWorker(set: Set, get: () => ModelState, error: string, prm: ModelState['prm'] = 'idle'): void {
  client?.terminate();
  client = null;
  const asking = get().askingId !== null;
  set({ status: 'error', error, askingId: null, tokensPerSecond: null, backend: null, prm, prmError: null });
  rejectScores(error);
  if (asking) {
    useCandidates.getState().abandon();
    useStudio.getState().setSql(useStudio.getState().sql);
  }
}

function rejectScores(why: string): void {
  for (const p of pendingScores.values()) p.reject(new Error(why));
  pendingScores.clear();
}

function clampInt(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(Number.isFinite(x) ? x : lo)));
}
