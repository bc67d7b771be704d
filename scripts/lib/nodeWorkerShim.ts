/** A browser-Worker-shaped wrapper around a Node worker thread running the real SQL dispatcher. */
import { Worker as NodeWorker } from 'node:worker_threads';

export function nodeSqlWorker(): Worker {
  const w = new NodeWorker(new URL('./nodeSqlWorker.mjs', import.meta.url));
  const shim = {
    onmessage: null as ((ev: MessageEvent) => void) | null,
    onerror: null as ((ev: ErrorEvent) => void) | null,
    postMessage: (m: unknown) => w.postMessage(m),
    terminate: () => void w.terminate(),
  };
  w.on('message', (data: { type: string }) => {
    if (data.type !== 'ready') shim.onmessage?.({ data } as MessageEvent);
  });
  w.on('error', (e: Error) => shim.onerror?.({ message: e.message, preventDefault() {} } as unknown as ErrorEvent));
  return shim as unknown as Worker;
}
