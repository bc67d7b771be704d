/**
 * The ONNX Runtime used by Node scripts (eval, bench). Both packages expose the same API, so the one adapter
 * (src/workers/ortCausalLM.ts) runs on either:
 * - `node`: onnxruntime-node, native CPU kernels on every core (the fast default for evaluation);
 * - `web`: onnxruntime-web's WASM backend on one thread, the code path the studio runs in the browser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-web';
import type { GenerationConfig } from '../../src/core/answerConfig';
import { tokenTexts } from '../../src/core/constrain';
import { loadTokenizer } from '../../src/core/tokenizer';
import { OrtCausalLM, OrtStepScorer } from '../../src/workers/ortCausalLM';

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

/**
 * A model folder's generation_config.json (the decoding defaults of answerConfig.ts), null when it has none. Read
 * apart from the model: a script settles its settings (and its report's name) before it loads the model.
 */
export function readGenerationConfig(modelDir: string): GenerationConfig | null {
  const f = join(modelDir, 'generation_config.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as GenerationConfig) : null;
}

/**
 * The policy in a model folder (config + tokenizer + onnx), on the chosen Node runtime; `threads` caps
 * onnxruntime-node's intra-op threads (for several processes on the same cores).
 */
export async function loadNodePolicy(modelDir: string, dtype: string, runtime: NodeRuntime, threads?: number) {
  const { ort, providers, label } = await nodeOrt(runtime);
  const sessionOptions = threads ? { intraOpNumThreads: threads } : {};
  const readJson = (f: string) => JSON.parse(readFileSync(join(modelDir, f), 'utf8'));
  const tok = loadTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'));
  const file = join(modelDir, 'onnx', dtype === 'fp32' ? 'model.onnx' : `model_${dtype}.onnx`);
  const lm = await OrtCausalLM.create(ort, new Uint8Array(readFileSync(file)), readJson('config.json'), providers, sessionOptions);
  return { ort, providers, sessionOptions, runtimeLabel: label, tok, lm, file, vocabTexts: tokenTexts(tok.decode, lm.vocabSize) };
}

/** The PRM in a model folder (config + tokenizer + int8 onnx) on an ONNX Runtime already loaded for the policy. */
export async function loadNodePrm(prmDir: string, ort: typeof Ort, providers: string[], sessionOptions: Ort.InferenceSession.SessionOptions = {}) {
  const readJson = (f: string) => JSON.parse(readFileSync(join(prmDir, f), 'utf8'));
  return {
    model: await OrtStepScorer.create(ort, new Uint8Array(readFileSync(join(prmDir, 'onnx', 'model_quantized.onnx'))), readJson('config.json'), providers, sessionOptions),
    tok: loadTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json')),
  };
}
