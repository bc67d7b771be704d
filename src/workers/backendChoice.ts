/**
 * Which ORT backend runs a model, and ORT failures in plain words. The rule (issue 23): a large model runs on WebGPU
 * when there is an adapter (with shader-f16 for a model that computes in fp16); a small one, like the embedded
 * policy, on WASM unless WebGPU decodes faster on a short probe (a software fallback adapter is not probed: it never
 * is).
 */
import type { Backend, BackendPreference } from './modelProtocol';

/** From this size a model goes to the GPU without a probe. */
export const LARGE_MODEL_BYTES = 100e6;

export interface BackendFacts {
  preference: BackendPreference;
  adapter: boolean;
  /** The adapter is a software fallback (SwiftShader): never faster than WASM for a small model. */
  fallbackAdapter: boolean;
  f16: boolean;
  modelBytes: number;
  /** The model computes in fp16 (fp16 / q4f16 files). */
  modelF16: boolean;
}

/** `probe`: the two backends must be measured before choosing (`decideByProbe`). */
export type BackendPlan = { backend: Backend; reason: string } | { probe: true };

export function planBackend(f: BackendFacts): BackendPlan {
  if (f.preference === 'wasm') return { backend: 'wasm', reason: 'WASM was asked for (?backend=wasm).' };
  if (!f.adapter) return { backend: 'wasm', reason: 'This browser offers no WebGPU adapter, so the model runs on the CPU (WASM).' };
  if (f.preference === 'webgpu') return { backend: 'webgpu', reason: 'WebGPU was asked for (?backend=webgpu).' };
  if (f.modelF16 && !f.f16) return { backend: 'wasm', reason: 'The model computes in fp16 and this GPU adapter lacks shader-f16, so it runs on the CPU (WASM). A q4 or q8 file would run on the GPU.' };
  if (f.modelBytes >= LARGE_MODEL_BYTES) return { backend: 'webgpu', reason: `A large model (${(f.modelBytes / 1e6).toFixed(0)} MB) decodes faster on the GPU (WebGPU${f.f16 ? ' with shader-f16' : ''}).` };
  if (f.fallbackAdapter) return { backend: 'wasm', reason: 'The only WebGPU adapter is a software fallback (runs on the CPU), slower than WASM for this small model.' };
  return { probe: true };
}

/**
 * ORT's WASM threads for a model, given the threads the page allows (every core when cross-origin isolated). A small
 * model decodes faster on one: its matrices are too small to share out (`npm run bench`, 2 cores: the embedded policy
 * 117 tok/s on 1 thread against 61 on 2). A large one uses them all.
 */
export function threadsFor(modelBytes: number, allowed: number): { threads: number; why: string } {
  if (allowed <= 1) return { threads: 1, why: 'one thread (the page is not cross-origin isolated, or has one core)' };
  if (modelBytes < LARGE_MODEL_BYTES) return { threads: 1, why: `one of ${allowed} (a small model decodes faster on one thread)` };
  return { threads: allowed, why: `all ${allowed}` };
}

export function decideByProbe(wasmMs: number, webgpuMs: number): { backend: Backend; reason: string } {
  const line = `WASM ${wasmMs.toFixed(1)} ms/token, WebGPU ${webgpuMs.toFixed(1)} ms/token on a short probe`;
  return webgpuMs < wasmMs ? { backend: 'webgpu', reason: `WebGPU is faster for this small model (${line}).` } : { backend: 'wasm', reason: `WASM is faster for this small model (${line}).` };
}

/** Whether an error came from ORT's run or the GPU (the sessions must be rebuilt), not from the studio. */
export function isRuntimeFailure(message: string): boolean {
  return /OrtRun|MapAsync|BufferManager|GPU|webgpu|device (was )?lost|memory access out of bounds|Aborted\(|out of memory|RuntimeError|unreachable/i.test(message);
}

/** An ORT failure in words a user can act on (the ORT text stays in parentheses for a bug report). */
export function plainRuntimeError(message: string, backend: Backend, now: Backend): string {
  const detail = message.replace(/\s+/g, ' ').slice(0, 160);
  const where = backend === 'webgpu' ? 'The GPU (WebGPU)' : 'The CPU runtime (WASM)';
  const what = /memory access out of bounds|out of memory|Aborted\(/i.test(message) ? 'ran out of memory' : /lost/i.test(message) ? 'lost its device' : 'failed';
  const next = now === backend ? 'The model was reloaded' : 'The model now runs on the CPU (WASM)';
  return `${where} ${what} while running the model. ${next}: ask again. (${detail})`;
}
