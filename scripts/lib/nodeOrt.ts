/**
 * The ONNX Runtime used by Node scripts (eval, bench). Both packages expose the same API, so the one adapter
 * (src/workers/ortCausalLM.ts) runs on either:
 * - `node`: onnxruntime-node, native CPU kernels on every core (the fast default for evaluation);
 * - `web`: onnxruntime-web's WASM backend on one thread, the code path the studio runs in the browser.
 */
import type * as Ort from 'onnxruntime-web';

export type NodeRuntime = 'node' | 'web';

export async function nodeOrt(runtime: NodeRuntime): Promise<{ ort: typeof Ort; providers: string[]; label: string }> {
  if (runtime === 'node') {
    const ort = (await import('onnxruntime-node')) as unknown as typeof Ort;
    return { ort, providers: ['cpu'], label: 'onnxruntime-node (cpu)' };
  }
  if (runtime !== 'web') throw new Error(`--runtime must be node or web, not "${runtime}"`);
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return { ort, providers: ['wasm'], label: 'onnxruntime-web (wasm, 1 thread)' };
}
