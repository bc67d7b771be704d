/**
 * `bench-hub.html?backend=wasm|webgpu&threads=N` (scripts/lib/hubBench.ts opens it with the Hub routed to the e2e
 * fixtures): for each fixture model, the download from the Hub URLs, the session's load time, the prefill of a real
 * CoCTE prompt (the model's own format: trained, chat template or completion) and greedy decoding speed over 64 tokens.
 */
import { argmax } from '../core/decode';
import { dtypeOptions, listingUrl, neededFiles, parseListing, resolveUrl } from '../core/hubModel';
import { buildPrompt, promptFormatOf } from '../core/prompt';
import { broughtPromptFormat } from '../core/promptTemplates';
import { loadTokenizer } from '../core/tokenizer';
import { loadOrtWeb, OrtCausalLM } from '../workers/ortCausalLM';

export const HUB_BENCH_MODELS: [string, string][] = [
  ['cocte/policy', 'q8'],
  ['cocte/tiny-gqa-chat', 'q4'],
];

const SCHEMA = [
  '# singer: Singer_ID int PK = 1, Name* text = Joe Sharp, Country text = Netherlands, Song_Name text = You, Age* int = 52, Is_male text = F',
  '# concert: concert_ID int PK = 1, concert_Name text = Auditions, Theme text = Free choice, Stadium_ID text = 1, Year text = 2014',
  '# singer_in_concert: concert_ID int PK = 1, Singer_ID text PK = 2',
  '# singer_in_concert.Singer_ID -> singer.Singer_ID',
].join('\n');

async function benchModel(ort: Awaited<ReturnType<typeof loadOrtWeb>>, backend: string, id: string, dtype: string) {
  const t0 = performance.now();
  const files = parseListing(await (await fetch(listingUrl(id))).json());
  const option = dtypeOptions(files).find((o) => o.dtype === dtype)!;
  const bytes: Record<string, Uint8Array> = {};
  for (const f of neededFiles(files, option)) bytes[f.path] = new Uint8Array(await (await fetch(resolveUrl(id, f.path))).arrayBuffer());
  const downloadMs = performance.now() - t0;
  const json = (p: string) => JSON.parse(new TextDecoder().decode(bytes[p]));
  const config = json('config.json');
  const tokConfig = json('tokenizer_config.json');
  const t1 = performance.now();
  const lm = await OrtCausalLM.create(ort, bytes[option.onnx]!, config, [backend], {}, 'step', option.data[0] ? { path: option.data[0].split('/').pop()!, data: bytes[option.data[0]]! } : undefined);
  const loadMs = performance.now() - t1;
  if (backend === 'webgpu' && lm.cacheType === 'float16' && !(await adapterF16())) {
    await lm.dispose();
    return { id, dtype, skipped: 'fp16 cache: this GPU adapter lacks shader-f16 (the studio runs it on WASM)' };
  }
  const tok = loadTokenizer(json('tokenizer.json'), tokConfig);
  const { format, kind } = broughtPromptFormat(config.cocte_prompt ? promptFormatOf(config) : null, tokConfig);
  const ids = tok.encode(buildPrompt('How many singers are older than 40?', SCHEMA, format));
  const t2 = performance.now();
  let { logits, past } = await lm.forward(ids, null);
  const prefillMs = performance.now() - t2;
  const t3 = performance.now();
  const n = 64;
  for (let i = 0; i < n; i++) {
    const next = await lm.forward([argmax(logits)], past);
    lm.release(past);
    ({ logits, past } = next);
  }
  const decodeMs = performance.now() - t3;
  lm.release(past);
  await lm.dispose();
  const r1 = (x: number) => Number(x.toFixed(1));
  return { id, dtype, prompt: kind, cacheType: lm.cacheType, promptTokens: ids.length, downloadMs: r1(downloadMs), loadMs: r1(loadMs), prefillMs: r1(prefillMs), tokensPerSecond: r1((1000 * n) / decodeMs) };
}

async function adapterF16(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ features: { has(f: string): boolean } } | null> } }).gpu;
  return !!(await gpu?.requestAdapter())?.features.has('shader-f16');
}

async function main() {
  const params = new URLSearchParams(location.search);
  const backend = params.get('backend') === 'webgpu' ? 'webgpu' : 'wasm';
  const threads = Number(params.get('threads') ?? 1);
  const out: Record<string, unknown> = { backend, threads, crossOriginIsolated, cores: navigator.hardwareConcurrency, models: [] as unknown[] };
  try {
    const ort = await loadOrtWeb(backend, threads);
    for (const [id, dtype] of HUB_BENCH_MODELS) {
      try {
        (out.models as unknown[]).push(await benchModel(ort, backend, id, dtype));
      } catch (e) {
        (out.models as unknown[]).push({ id, dtype, error: e instanceof Error ? e.message : String(e) });
      }
    }
  } catch (e) {
    out.error = e instanceof Error ? e.message : String(e);
  }
  document.getElementById('out')!.textContent = JSON.stringify(out);
  (window as unknown as { __bench: unknown }).__bench = out;
}

void main();
