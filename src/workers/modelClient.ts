/**
 * The page side of the model worker: starts it, sends requests (files transferred, not copied), hands its events on,
 * and watches that it lives. While `busy()` says work is under way it pings every second; a worker that crashes, or
 * stays silent for `hangMs`, is terminated and reported through `onDead`. The state it feeds is the model slice's
 * (src/state/modelStore.ts).
 */
import type { ModelEvent, ModelRequest } from './modelProtocol';

export interface ModelClientOptions {
  createWorker: () => Worker;
  onEvent: (e: ModelEvent) => void;
  /** The worker crashed (`detail`: the browser's message) or stopped answering (`detail`: seconds of silence); it is terminated. */
  onDead: (kind: 'crash' | 'hang', detail: string) => void;
  /** Whether anything is under way (loading, answering, scoring): only then is the worker pinged. */
  busy: () => boolean;
  hangMs: number;
  pingMs?: number;
}

export class ModelClient {
  private readonly worker: Worker;
  private lastHeard = performance.now();
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly options: ModelClientOptions) {
    const w = options.createWorker();
    this.worker = w;
    w.onmessage = (ev: MessageEvent<ModelEvent>) => {
      if (this.closed) return;
      this.lastHeard = performance.now();
      options.onEvent(ev.data);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      if (this.closed) return;
      this.terminate();
      options.onDead('crash', ev.message || 'no details');
    };
  }

  send(m: ModelRequest, transfer: Transferable[] = []): void {
    if (!this.closed) this.worker.postMessage(m, transfer);
    this.watch();
  }

  /** Starts the liveness pings if work is under way (they stop by themselves when it is done). */
  watch(): void {
    if (this.watchdog || this.closed) return;
    this.lastHeard = performance.now();
    this.watchdog = setInterval(() => {
      if (this.closed || !this.options.busy()) return this.stopWatch();
      const silent = performance.now() - this.lastHeard;
      if (silent > this.options.hangMs) {
        this.terminate();
        this.options.onDead('hang', (silent / 1000).toFixed(0));
      } else this.worker.postMessage({ type: 'ping' } satisfies ModelRequest);
    }, this.options.pingMs ?? 1000);
  }

  private stopWatch(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  terminate(): void {
    this.closed = true;
    this.stopWatch();
    this.worker.terminate();
  }
}
