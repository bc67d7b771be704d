/**
 * The page side of the SQL engine worker. Every call has a timeout: a runaway query (a huge cross join, an endless
 * recursive CTE) gets the worker terminated and replaced, and the database re-opened from the bytes kept here, so the
 * page never freezes and the data comes back intact.
 */
import type { QueryOutcome, SchemaInfo, Trajectory } from '../core/types';
import type { OpenPhase, SqlReply, SqlReplyFor, SqlRequest } from './sqlProtocol';

export interface SqlEngineClientOptions {
  /** Creates a fresh worker (called again after a timeout). */
  createWorker: () => Worker;
  /** Default per-query timeout. */
  queryTimeoutMs?: number;
}

/** Hears a long request's progress (reading a file, describing its tables). */
export type OnProgress = (phase: OpenPhase, done: number, total: number) => void;

type Pending = { resolve: (r: SqlReply) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout>; onProgress?: OnProgress };

/** What the open database was opened from: kept (never modified) to open it again after a timeout. */
type Source = { bytes: Uint8Array } | { file: Blob };

/** Time allowed to open a database: a minute, plus a minute per 200 MB (reading, the integrity check). */
export function openTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 200e6) * 60_000;
}

type RequestBody = SqlRequest extends infer R ? (R extends SqlRequest ? Omit<R, 'id'> : never) : never;

export class TimeoutError extends Error {}

/** The worker was replaced (after some query's timeout) while this request was in flight. */
export class RestartError extends Error {}

export class SqlEngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private source: Source | null = null;
  private reopening: Promise<void> | null = null;
  readonly queryTimeoutMs: number;
  /** Times the worker was replaced after a timeout. */
  restarts = 0;

  constructor(private readonly options: SqlEngineClientOptions) {
    this.queryTimeoutMs = options.queryTimeoutMs ?? 8000;
    this.worker = this.spawn();
  }

  /** Opens a database from bytes; the bytes are kept (never modified) to recover after a timeout. */
  async open(bytes: Uint8Array, timeoutMs = openTimeoutMs(bytes.byteLength)): Promise<{ elapsedMs: number }> {
    const copy = bytes.slice();
    const reply = await this.call({ type: 'open', bytes: copy }, timeoutMs, undefined, [copy.buffer]);
    this.source = { bytes };
    return { elapsedMs: reply.elapsedMs };
  }

  /**
   * Opens a database file that the worker reads itself, in pieces (`onProgress` hears the bytes read): the page holds
   * no copy of it. The file is kept to recover after a timeout.
   */
  async openFile(file: Blob, onProgress?: OnProgress, timeoutMs = openTimeoutMs(file.size)): Promise<{ elapsedMs: number }> {
    const reply = await this.call({ type: 'openFile', file }, timeoutMs, onProgress);
    this.source = { file };
    return { elapsedMs: reply.elapsedMs };
  }

  /** The open database's tables; `onProgress` hears each table described. */
  async schema(timeoutMs = 120_000, onProgress?: OnProgress): Promise<SchemaInfo> {
    return (await this.call({ type: 'schema' }, timeoutMs, onProgress)).schema;
  }

  /** Runs one read query. Resolves with an outcome; a timeout is an outcome of kind 'timeout', not a rejection. */
  query(sql: string, maxRows: number, timeoutMs = this.queryTimeoutMs): Promise<QueryOutcome> {
    return this.outcomeOf({ type: 'query', sql, maxRows }, timeoutMs);
  }

  /**
   * Runs step `index` of a chain (`steps.length`: the final query): the rows of its prefix query, computed from the
   * rows the worker kept of the steps before it (core/stepReuse.ts). Resolves like `query`.
   */
  queryStep(trajectory: Trajectory, index: number, maxRows: number, timeoutMs = this.queryTimeoutMs): Promise<QueryOutcome> {
    return this.outcomeOf({ type: 'step', trajectory, index, maxRows }, timeoutMs);
  }

  private async outcomeOf(body: Extract<RequestBody, { type: 'query' | 'step' }>, timeoutMs: number): Promise<QueryOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.reopening) await this.reopening;
      try {
        return (await this.call(body, timeoutMs)).outcome;
      } catch (e) {
        // Another query's timeout replaced the worker under this one: run it again on the fresh worker.
        if (e instanceof RestartError && attempt === 0) continue;
        return this.failure(e, timeoutMs);
      }
    }
  }

  private failure(e: unknown, timeoutMs: number): QueryOutcome {
    if (e instanceof TimeoutError) {
      const error = `Cancelled after ${(timeoutMs / 1000).toFixed(1)} s. The database was reloaded intact; narrow the query (add a filter, a join condition or a LIMIT).`;
      return { ok: false, kind: 'timeout', error };
    }
    return { ok: false, kind: 'engine', error: e instanceof Error ? e.message : String(e) };
  }

  dispose(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('The SQL engine was closed.'));
    }
    this.pending.clear();
  }

  private spawn(): Worker {
    const w = this.options.createWorker();
    w.onmessage = (ev: MessageEvent<SqlReply>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      if (ev.data.type === 'progress') {
        p.onProgress?.(ev.data.phase, ev.data.done, ev.data.total);
        return;
      }
      this.pending.delete(ev.data.id);
      clearTimeout(p.timer);
      p.resolve(ev.data);
    };
    w.onerror = (ev) => {
      ev.preventDefault?.();
      this.failAll(new Error(`The SQL engine crashed: ${ev.message || 'unknown error'}`));
    };
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  private call<T extends RequestBody['type']>(body: Extract<RequestBody, { type: T }>, timeoutMs: number, onProgress?: OnProgress, transfer: Transferable[] = []): Promise<SqlReplyFor[T]> {
    const id = this.nextId++;
    return new Promise<SqlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`timeout after ${timeoutMs} ms`));
        this.restart();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, onProgress });
      this.worker.postMessage({ ...body, id } as SqlRequest, transfer);
    }).then((reply) => {
      if (reply.type === 'error') throw new Error(reply.error);
      return reply as unknown as SqlReplyFor[T];
    });
  }

  /** Replaces a stuck worker and re-opens the kept bytes in the new one. */
  private restart(): void {
    this.restarts++;
    this.worker.terminate();
    this.failAll(new RestartError('The SQL engine was restarted after a timeout.'));
    this.worker = this.spawn();
    const source = this.source;
    if (!source) return;
    const reopen =
      'file' in source
        ? this.call({ type: 'openFile', file: source.file }, openTimeoutMs(source.file.size))
        : this.call({ type: 'open', bytes: source.bytes.slice() }, openTimeoutMs(source.bytes.byteLength));
    this.reopening = reopen
      .then(() => undefined)
      .finally(() => {
        this.reopening = null;
      });
  }
}
