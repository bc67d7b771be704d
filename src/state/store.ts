/**
 * The studio's state (zustand): a database slice (what is open, its schema, open errors) and a chain slice (the
 * editor text, the parsed CoCTE chain, each step's run). Actions talk to the SQL worker through `engine`/`runner`.
 */
import { create } from 'zustand';
import { parseCoCTE, printCoCTE, stepPrefixSql } from '../core/cocte';
import { decomposeRunnable, decomposeSql } from '../core/decompose';
import { toCsv, toJson } from '../core/exportFormat';
import type { DbRef } from '../core/history/history';
import type { PolicyStep } from '../core/policy';
import type { StepRun } from '../core/stepRunner';
import type { SchemaInfo, Trajectory } from '../core/types';
import { isMemoryError, memoryMessage } from '../workers/memoryLimit';
import { readStream } from '../workers/readStream';
import type { OpenPhase } from '../workers/sqlProtocol';
import { engine, runner } from './engine';
import { rememberOpenedFile } from './openedFile';
import { SAMPLES } from './samples';
import { saveBlob } from './saveFile';

export interface DbSlice {
  dbName: string | null;
  dbBytes: number;
  /** Where the open database came from (history, Recent and share links refer to it); null before the first open. */
  dbSource: DbRef | null;
  schema: SchemaInfo | null;
  opening: boolean;
  /** While a database opens: what it is doing (reading the file, describing its tables) and how far it is. */
  openProgress: { name: string; phase: OpenPhase; done: number; total: number } | null;
  openMs: number | null;
  /** A user-facing problem (bad file, bad URL, decomposition error); cleared on the next success. */
  error: string | null;
  openBytes(name: string, bytes: Uint8Array): Promise<boolean>;
  /** Opens a bundled sample; its example query replaces the editor's text unless `keepSql`. */
  openSample(id: string, opts?: { keepSql?: boolean }): Promise<boolean>;
  openUrl(url: string): Promise<boolean>;
  openFile(file: File): Promise<boolean>;
  dismissError(): void;
}

export interface ChainSlice {
  /** The text in the editor. */
  sql: string;
  /** Bumped when the store (not the user) replaces the editor text. */
  sqlVersion: number;
  trajectory: Trajectory | null;
  parseWarning: string | null;
  /** Step runs by index (`steps.length` is the final query); null while pending. */
  runs: (StepRun | null)[];
  running: boolean;
  selectedStep: number | null;
  setSql(text: string, fromEditor?: boolean): void;
  run(): Promise<void>;
  decompose(): Promise<void>;
  selectStep(i: number | null): void;
  exportStep(i: number, format: 'csv' | 'json'): Promise<void>;
  /** Shows the steps a model has written so far, with their results, while it writes the next one. */
  showGenerating(steps: PolicyStep[], question?: string): void;
}

export type Studio = DbSlice & ChainSlice;

let runToken = 0;
let debounce: ReturnType<typeof setTimeout> | null = null;
const EDIT_DEBOUNCE_MS = 400;
const EXPORT_CAP = 1_000_000;

export const useStudio = create<Studio>()((set, get) => ({
  dbName: null,
  dbBytes: 0,
  dbSource: null,
  schema: null,
  opening: false,
  openProgress: null,
  openMs: null,
  error: null,
  sql: '',
  sqlVersion: 0,
  trajectory: null,
  parseWarning: null,
  runs: [],
  running: false,
  selectedStep: null,

  async openBytes(name, bytes) {
    // The bytes are already read: the bar starts full and moves on to the tables.
    return openWith(name, bytes.byteLength, () => engine.open(bytes), set, get, bytes.byteLength);
  },

  async openSample(id, { keepSql = false } = {}) {
    const sample = SAMPLES.find((s) => s.id === id) ?? SAMPLES[0]!;
    const res = await fetch(`${import.meta.env.BASE_URL}samples/${sample.file}`);
    if (!res.ok) {
      set({ error: `The sample ${sample.file} is missing (${res.status}).` });
      return false;
    }
    const ok = await get().openBytes(sample.file, new Uint8Array(await res.arrayBuffer()));
    if (ok) {
      set({ dbSource: { kind: 'sample', id: sample.id } });
      if (!keepSql) {
        const t = safeDecompose(sample.query, get().schema);
        get().setSql(t ? printCoCTE(t) : sample.query);
      }
    }
    return ok;
  },

  async openUrl(url) {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      set({ error: `Could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}. The server must allow cross-origin requests (CORS), or download the file and open it from disk.` });
      return false;
    }
    if (!res.ok) {
      set({ error: `Could not fetch ${url}: HTTP ${res.status} ${res.statusText}.` });
      return false;
    }
    const name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'database');
    let bytes: Uint8Array;
    try {
      bytes = await readBody(res, (done, total) => set({ opening: true, openProgress: { name, phase: 'read', done, total } }));
    } catch (e) {
      const why = isMemoryError(e) ? memoryMessage(Number(res.headers.get('content-length')) || 0, e) : e instanceof Error ? e.message : String(e);
      const keep = get().dbName ? ` ${get().dbName} is still open.` : '';
      set({ error: `Could not download ${url}: ${why}${keep}`, opening: false, openProgress: null });
      return false;
    }
    const ok = await get().openBytes(name, bytes);
    if (ok) set({ dbSource: { kind: 'url', url } });
    return ok;
  },

  async openFile(file) {
    // The worker reads the file itself, in pieces, with progress: the page never holds a copy of a large file.
    const ok = await openWith(file.name, file.size, (onProgress) => engine.openFile(file, onProgress), set, get);
    if (ok) {
      rememberOpenedFile(file);
      set({ dbSource: { kind: 'file', name: file.name, size: file.size } });
    }
    return ok;
  },

  dismissError() {
    set({ error: null });
  },

  setSql(text, fromEditor = false) {
    const parsed = parseCoCTE(text);
    set((s) => ({
      sql: text,
      sqlVersion: fromEditor ? s.sqlVersion : s.sqlVersion + 1,
      trajectory: parsed.trajectory,
      parseWarning: parsed.warning ?? null,
    }));
    if (debounce) clearTimeout(debounce);
    if (fromEditor) debounce = setTimeout(() => void get().run(), EDIT_DEBOUNCE_MS);
    else void get().run();
  },

  async run() {
    const t = get().trajectory;
    if (!t || !get().dbName || t.final.sql.trim() === '') {
      set({ runs: [] });
      return;
    }
    const token = ++runToken;
    const count = t.steps.length + 1;
    set((s) => ({ running: true, runs: Array.from({ length: count }, (_, i) => (s.runs[i] && s.runs[i]!.sql === stepPrefixSql(t, i) ? s.runs[i]! : null)) }));
    for (let i = 0; i < count; i++) {
      const r = await runner.runStep(t, i);
      if (token !== runToken) return;
      set((s) => {
        const runs = s.runs.slice();
        runs[i] = r;
        return { runs };
      });
      if (!r.outcome.ok && r.outcome.kind === 'timeout') {
        // Every later step contains this one: running them would only time out again.
        const skipped = `Not run: step ${r.name} was cancelled.`;
        set((s) => ({
          runs: s.runs.map((x, j) => (j > i ? { index: j, name: '', sql: stepPrefixSql(t, j), cached: false, outcome: { ok: false, kind: 'engine', error: skipped } } : x)),
        }));
        break;
      }
    }
    set({ running: false });
  },

  async decompose() {
    const { sql, schema } = get();
    try {
      const t = await decomposeRunnable(sql, (q) => engine.query(q, 1), schema ?? undefined);
      set({ error: null });
      get().setSql(printCoCTE(t));
    } catch (e) {
      set({ error: `Decompose: ${e instanceof Error ? e.message : String(e)}` });
    }
  },

  selectStep(i) {
    set({ selectedStep: i });
  },

  showGenerating(steps, question) {
    runToken++;
    const final = steps.find((s) => s.name === 'final');
    const cteSteps = steps.filter((s) => s.name !== 'final');
    const trajectory: Trajectory = {
      steps: cteSteps.map((s) => ({ name: s.name, sql: s.sql, note: '' })),
      final: { sql: final?.sql ?? '-- the model is writing…', note: question ? `Q: ${question}` : '' },
    };
    const runs: (StepRun | null)[] = steps.map((s) => ({ index: s.index, name: s.name, sql: s.sql, outcome: s.outcome, cached: false }));
    if (!final) runs.push(null);
    set({ trajectory, runs, running: !final, parseWarning: null });
  },

  async exportStep(i, format) {
    const t = get().trajectory;
    if (!t) return;
    const outcome = await engine.query(stepPrefixSql(t, i), EXPORT_CAP, 60_000);
    if (!outcome.ok) {
      set({ error: `Export failed: ${outcome.error}` });
      return;
    }
    const { columns, rows } = outcome.result;
    const name = i < t.steps.length ? t.steps[i]!.name : 'result';
    const body = format === 'csv' ? toCsv(columns, rows) : toJson(columns, rows);
    download(`${name}.${format}`, body, format === 'csv' ? 'text/csv' : 'application/json');
  },
}));

/**
 * Opens a database through `open` and reads its schema, showing progress (bytes read, tables described); a failure
 * keeps the open database and says why.
 */
async function openWith(
  name: string,
  size: number,
  open: (onProgress: (phase: OpenPhase, done: number, total: number) => void) => Promise<{ elapsedMs: number }>,
  set: (p: Partial<Studio>) => void,
  get: () => Studio,
  read = 0,
): Promise<boolean> {
  const onProgress = (phase: OpenPhase, done: number, total: number) => set({ openProgress: { name, phase, done, total } });
  set({ opening: true, openProgress: { name, phase: 'read', done: read, total: size } });
  try {
    const { elapsedMs } = await open(onProgress);
    const schema = await engine.schema(undefined, onProgress);
    runner.clear();
    set({ dbName: name, dbBytes: size, schema, openMs: elapsedMs, error: null, opening: false, openProgress: null });
    void get().run();
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const keep = get().dbName ? ` ${get().dbName} is still open.` : '';
    set({ error: `Could not open ${name}: ${msg}${keep}`, opening: false, openProgress: null });
    return false;
  }
}

/** A response's body, reporting the bytes received (of Content-Length, when the server gives it) every 50 ms at most. */
async function readBody(res: Response, onProgress: (done: number, total: number) => void): Promise<Uint8Array> {
  const length = Number(res.headers.get('content-length')) || 0;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  let done = 0;
  let shown = 0;
  return readStream(res.body, (n) => {
    done += n;
    if (performance.now() - shown > 50) {
      shown = performance.now();
      onProgress(done, Math.max(length, done));
    }
  });
}

function safeDecompose(sql: string, schema: SchemaInfo | null): Trajectory | null {
  try {
    return decomposeSql(sql, schema ?? undefined);
  } catch {
    return null;
  }
}

function download(name: string, body: string, type: string): void {
  saveBlob(name, new Blob([body], { type }));
}
