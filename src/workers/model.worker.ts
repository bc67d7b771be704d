/// <reference lib="webworker" />
/**
 * Model worker: wires the dispatcher (modelDispatch.ts) to the worker's messages, with the browser's ORT builds
 * (ortCausalLM.ts loadOrtWeb), the GPU adapter and the page's cross-origin isolation.
 */
import { modelDispatcher, type GpuAdapterLike } from './modelDispatch';
import type { ModelEvent, ModelRequest } from './modelProtocol';
import { loadOrtWeb } from './ortCausalLM';

const scope = self as DedicatedWorkerGlobalScope;
const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;

const dispatch = modelDispatcher((e: ModelEvent) => scope.postMessage(e), {
  loadOrt: loadOrtWeb,
  adapter: async () => (gpu ? await gpu.requestAdapter() : null),
  isolated: scope.crossOriginIsolated === true,
});

scope.onmessage = (ev: MessageEvent<ModelRequest>) => void dispatch(ev.data);
