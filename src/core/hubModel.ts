/**
 * Models in the transformers.js layout, from the Hugging Face Hub or a local folder (issue 23): the file listing,
 * the dtypes it offers (one ONNX file each under `onnx/`, maybe with external weights `…onnx_data`), the files one
 * dtype needs, and plain messages for what can go wrong. Pure: the page fetches, this decides.
 */

export interface ModelFileEntry {
  path: string;
  size: number;
}

/** transformers.js's dtype names and their file suffixes (`onnx/model<suffix>.onnx`). */
export const DTYPE_SUFFIX: Record<string, string> = { fp32: '', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q8: '_quantized', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

export interface DtypeOption {
  dtype: string;
  onnx: string;
  /** External weights files of that ONNX file (`model_q4.onnx_data`, `model_q4.onnx_data_1`, …). */
  data: string[];
  /** Bytes of every file the dtype needs (ONNX, weights, config and tokenizer). */
  bytes: number;
  /** Whether it computes in fp16 (needs WebGPU's shader-f16 to run on the GPU). */
  f16: boolean;
}

/** Short list of known-good models shown in the picker (transformers.js exports with q4 / q4f16 files). */
export const KNOWN_GOOD: { id: string; note: string }[] = [
  { id: 'onnx-community/Qwen2.5-Coder-0.5B-Instruct', note: 'code, 0.5B, about 0.5 GB in q4f16' },
  { id: 'onnx-community/Qwen2.5-Coder-1.5B-Instruct', note: 'code, 1.5B, about 1.3 GB in q4f16' },
  { id: 'onnx-community/Qwen2.5-0.5B-Instruct', note: 'chat, 0.5B' },
  { id: 'HuggingFaceTB/SmolLM2-360M-Instruct', note: 'chat, 360M' },
  { id: 'onnx-community/Llama-3.2-1B-Instruct', note: 'chat, 1B (gated: accept the license on the Hub first)' },
];

export const HUB = 'https://huggingface.co';

export function resolveUrl(id: string, path: string): string {
  return `${HUB}/${id}/resolve/main/${path.split('/').map(encodeURIComponent).join('/')}`;
}

export function listingUrl(id: string): string {
  return `${HUB}/api/models/${id}/tree/main?recursive=true`;
}

/** `owner/name` with the characters the Hub allows. */
export function validModelId(id: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(id) && !id.includes('..');
}

/** The files of a Hub tree listing (`[{ type, path, size, lfs?: { size } }]`). */
export function parseListing(json: unknown): ModelFileEntry[] {
  if (!Array.isArray(json)) throw new Error('The Hub answered with something that is not a file listing.');
  return json
    .filter((e): e is { type: string; path: string; size?: number; lfs?: { size?: number } } => !!e && typeof e === 'object' && (e as { type?: unknown }).type === 'file' && typeof (e as { path?: unknown }).path === 'string')
    .map((e) => ({ path: e.path, size: Number(e.lfs?.size ?? e.size ?? 0) }));
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['generation_config.json'];

/** The dtypes a listing offers, smallest download first; empty when it is not a transformers.js causal LM. */
export function dtypeOptions(files: ModelFileEntry[]): DtypeOption[] {
  const size = new Map(files.map((f) => [f.path, f.size]));
  if (!REQUIRED.every((p) => size.has(p))) return [];
  const base = [...REQUIRED, ...OPTIONAL].reduce((a, p) => a + (size.get(p) ?? 0), 0);
  const out: DtypeOption[] = [];
  for (const [dtype, suffix] of Object.entries(DTYPE_SUFFIX)) {
    const onnx = `onnx/model${suffix}.onnx`;
    if (!size.has(onnx)) continue;
    const data = files.map((f) => f.path).filter((p) => p === `${onnx}_data` || p.startsWith(`${onnx}_data_`)).sort();
    out.push({ dtype, onnx, data, bytes: base + size.get(onnx)! + data.reduce((a, p) => a + size.get(p)!, 0), f16: dtype === 'fp16' || dtype === 'q4f16' });
  }
  return out.sort((a, b) => a.bytes - b.bytes);
}

/** Every file a dtype needs that the listing has. */
export function neededFiles(files: ModelFileEntry[], option: DtypeOption): ModelFileEntry[] {
  const want = new Set([...REQUIRED, ...OPTIONAL, option.onnx, ...option.data]);
  return files.filter((f) => want.has(f.path));
}

/**
 * The dtype picked by default: q4f16 when the GPU computes in fp16, then q4, q8, int8, fp32 (fp16 weights only with
 * shader-f16 too).
 */
export function defaultDtype(options: DtypeOption[], f16: boolean): DtypeOption | null {
  const order = f16 ? ['q4f16', 'q4', 'q8', 'fp16', 'int8', 'uint8', 'fp32'] : ['q4', 'q8', 'int8', 'uint8', 'fp32', 'q4f16', 'fp16'];
  for (const d of order) {
    const o = options.find((x) => x.dtype === d);
    if (o) return o;
  }
  return options[0] ?? null;
}

/** A plain message for a failed Hub request. */
export function hubProblem(status: number, what: string, id: string): string {
  if (status === 401 || status === 403) return `${id} is gated or private: the studio cannot sign in to the Hub, so it cannot download ${what}. Pick another model, or download the folder yourself and open it as a local folder.`;
  if (status === 404) return `${what} is missing: the Hub has no ${id} (check the id), or the model has no such file.`;
  if (status === 429) return `The Hub refused ${what} for now (too many requests). Try again in a minute.`;
  return `The Hub answered HTTP ${status} for ${what}.`;
}

/** Whether a folder's files make a model: the file list of a local folder (paths relative to the folder). */
export function folderProblem(paths: string[]): string | null {
  const missing = REQUIRED.filter((p) => !paths.includes(p));
  if (missing.length) return `This folder is not a transformers.js model: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`;
  if (!paths.some((p) => /^onnx\/model[\w]*\.onnx$/.test(p))) return 'This folder has no onnx/model*.onnx file.';
  return null;
}

/** Bytes as `12.3 MB`. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/**
 * A plain message for a model file with an operator the browser's ONNX Runtime cannot run, from ORT's session error:
 * `Fatal error: com.microsoft:Foo(-1) is not a registered function/op` (an operator the build does not know) or
 * `Could not find an implementation for Foo(1) node with name '…'` (one it has no kernel for). Null for other errors.
 */
export function unsupportedOperator(file: string, ortMessage: string): string | null {
  const m = ortMessage.match(/(?:([\w.]+):)?(\w+)\(-?\d+\) is not a registered function\/op/) ?? ortMessage.match(/Could not find an implementation for (?:([\w.]+):)?(\w+)\(\d+\) node/);
  if (!m) return null;
  const op = m[1] ? `${m[2]} (${m[1]})` : m[2];
  return `The model file ${file} uses the operator ${op}, which this browser's ONNX Runtime cannot run. Try another dtype of the model, or another model.`;
}
