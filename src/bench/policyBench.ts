/** Decoding speed of the embedded policy on one backend: prefill ms, decode tokens/s, ms per CoCTE step. */
import type * as Ort from 'onnxruntime-web';
import { decode } from '../core/decode';
import { loadTokenizer } from '../core/tokenizer';
import type { ModelFiles } from '../workers/modelProtocol';
import { OrtCausalLM } from '../workers/ortCausalLM';

export interface PolicyBench {
  backend: string;
  loadMs: number;
  promptTokens: number;
  prefillMs: number;
  newTokens: number;
  tokensPerSecond: number;
  msPerStep: number | null;
}

const PROMPT =
  '# singer(Singer_ID int PK = 1 | 2, Name text = Joe Sharp | Timbaland, Country text = Netherlands | United States, Age int = 52 | 32)\n' +
  '# concert(concert_ID int PK = 1 | 2, concert_Name text = Auditions | Super bootcamp, Stadium_ID text = 1 | 2, Year text = 2014 | 2015)\n' +
  '# singer_in_concert(concert_ID int PK = 1 | 2, Singer_ID text PK = 2 | 3)\n' +
  '# singer_in_concert.Singer_ID -> singer.Singer_ID\n-- What are the names of singers older than the average age, ordered by age?\n';

export async function benchPolicy(ort: typeof Ort, files: ModelFiles, read: (url: string) => Promise<Uint8Array>, backend: string): Promise<PolicyBench> {
  const json = async (u: string) => JSON.parse(new TextDecoder().decode(await read(u)));
  const t0 = performance.now();
  const tok = loadTokenizer(await json(files.tokenizer), await json(files.tokenizerConfig));
  const lm = await OrtCausalLM.create(ort, await read(files.onnx), await json(files.config), [backend]);
  const loadMs = performance.now() - t0;
  await decode(lm, tok, PROMPT, { maxNewTokens: 4 }); // warm-up
  let steps = 0;
  const r = await decode(lm, tok, PROMPT, { maxNewTokens: 96, onStep: () => void steps++ });
  const total = r.prefillMs + r.decodeMs;
  return {
    backend,
    loadMs: round(loadMs),
    promptTokens: r.promptTokens,
    prefillMs: round(r.prefillMs),
    newTokens: r.tokenIds.length,
    tokensPerSecond: round(r.tokenIds.length / (r.decodeMs / 1000)),
    msPerStep: steps > 0 ? round(total / (steps + 1)) : null,
  };
}

function round(x: number): number {
  return Number(x.toFixed(1));
}
