/**
 * A local stand-in for the Hugging Face Hub (issue 23): routes `https://huggingface.co/<id>/resolve/main/<file>` and
 * the file-listing API (`/api/models/<id>/tree/main`) to real model folders exported by our own scripts, with CORS,
 * `Range` (206) and byte counts, so the e2e tests download, cache and load models without the internet.
 * - `cocte/policy`: the embedded policy's folder (models/policy, transformers.js layout, q8 and fp32 files);
 * - `cocte/tiny-gqa-chat`: models/train/hub_fixture.py's model (GQA, position_ids, fp16 KV and logits, q4
 *   MatMulNBits, external weights, chat template);
 * - `cocte/tiny-gqa-op-chat`: the same model written around the com.microsoft GroupQueryAttention contrib op
 *   (hub_fixture.py --attention gqa-op: rotary inside the op, no position_ids input, as onnxruntime-genai exports);
 * - `cocte/corrupt`: the tiny model with the head of its ONNX file overwritten (the listing is honest about sizes).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BrowserContext, Route } from '@playwright/test';

export const TINY_DIR = 'e2e/fixtures/hub/cocte/tiny-gqa-chat';
export const GQA_OP_DIR = 'e2e/fixtures/hub/cocte/tiny-gqa-op-chat';

interface Fixture {
  dir: string;
  files: string[];
  alter?: (path: string, bytes: Buffer) => Buffer;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => relative(dir, join(dir, p)))
    .filter((p) => statSync(join(dir, p)).isFile());
}

export const FIXTURES: Record<string, Fixture> = {
  // model.onnx (fp32) is listed when it was exported here (it is not committed).
  'cocte/policy': { dir: 'models/policy', files: ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'].filter((p) => existsSync(join('models/policy', p))) },
  'cocte/tiny-gqa-chat': { dir: TINY_DIR, files: walk(TINY_DIR) },
  'cocte/tiny-gqa-op-chat': { dir: GQA_OP_DIR, files: walk(GQA_OP_DIR) },
  'cocte/corrupt': {
    dir: TINY_DIR,
    files: walk(TINY_DIR),
    alter: (path, bytes) => (path.endsWith('.onnx') ? Buffer.concat([Buffer.alloc(256, 0xff), bytes.subarray(256)]) : bytes),
  },
};

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Range', 'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges' };

export interface HubLog {
  /** Every request the stand-in saw (method and URL). */
  requests: string[];
  /** Range requests answered with 206. */
  ranges: number;
}

function fileBytes(f: Fixture, path: string): Buffer {
  const b = readFileSync(join(f.dir, path));
  return f.alter ? f.alter(path, b) : b;
}

/**
 * Routes the Hub's URLs in `context`. `gated`: ids answered 401; `cutAt`: a file whose first response stops after that
 * many bytes (to test resuming).
 */
export async function routeHub(context: BrowserContext, opts: { gated?: string[]; cutAt?: { path: string; bytes: number } } = {}): Promise<HubLog> {
  const log: HubLog = { requests: [], ranges: 0 };
  let cut = opts.cutAt;
  await context.route('https://huggingface.co/**', async (route: Route) => {
    const req = route.request();
    const url = new URL(req.url());
    log.requests.push(`${req.method()} ${url.pathname}`);
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    const list = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/);
    const file = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/);
    const id = list?.[1] ?? file?.[1] ?? '';
    if (opts.gated?.includes(id)) return route.fulfill({ status: 401, headers: CORS, body: 'Access to model is restricted.' });
    const f = FIXTURES[id];
    if (!f) return route.fulfill({ status: 404, headers: CORS, body: 'Repository not found' });
    if (list) {
      const entries = f.files.map((p) => ({ type: 'file', path: p, size: fileBytes(f, p).length }));
      return route.fulfill({ status: 200, headers: { ...CORS, 'Content-Type': 'application/json' }, body: JSON.stringify(entries) });
    }
    const path = decodeURIComponent(file![2]!);
    if (!f.files.includes(path)) return route.fulfill({ status: 404, headers: CORS, body: 'Entry not found' });
    let body = fileBytes(f, path);
    const total = body.length;
    const range = req.headers()['range']?.match(/^bytes=(\d+)-$/);
    const headers: Record<string, string> = { ...CORS, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    let status = 200;
    if (range) {
      const from = Number(range[1]);
      body = body.subarray(from);
      status = 206;
      log.ranges++;
      headers['Content-Range'] = `bytes ${from}-${total - 1}/${total}`;
    }
    if (cut && cut.path === path && !range) {
      // The connection drops after `cut.bytes`: the body ends early and the browser sees a short read.
      const n = cut.bytes;
      cut = undefined;
      return route.fulfill({ status, headers: { ...headers, 'Content-Length': String(total) }, body: body.subarray(0, n) });
    }
    return route.fulfill({ status, headers, body });
  });
  return log;
}
