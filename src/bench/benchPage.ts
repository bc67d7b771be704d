/**
 * Browser micro-benchmarks for `npm run bench -- --browser`: engine worker round trip and sample open times.
 * `bench.html?q=I` times only bench question I (greedy and best-of-8, WASM), e.g. to profile one slow question.
 */
import { EMBEDDED_POLICY, EMBEDDED_PRM } from '../state/modelFiles';
import { loadOrtWeb } from '../workers/ortCausalLM';
import { SqlEngineClient } from '../workers/sqlEngineClient';
import { BENCH_QUESTIONS, benchPolicy, decodeSpeedRounds, type DecodeRound } from './policyBench';
import { SAMPLES } from '../state/samples';

/**
 * `bench.html?rounds=N[&worker][&cache=full][&repeat=K]`: only the WASM policy's decode speed, N rounds of 96 tokens (how
 * long WASM takes to warm up), on the page or in a Worker, keeping the cache from `present_step.*` or fetching all of it;
 * `repeat` writes the prompt's schema lines K times (a longer context).
 */
async function decodeRounds(rounds: number) {
  const read = async (u: string) => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const params = new URLSearchParams(location.search);
  const inWorker = params.has('worker');
  const cache = params.get('cache') === 'full' ? 'full' : 'step';
  const repeat = Number(params.get('repeat') ?? 1);
  const speeds = inWorker
    ? await new Promise<DecodeRound[]>((resolve) => {
        const w = new Worker(new URL('./decodeRounds.worker.ts', import.meta.url), { type: 'module' });
        w.onmessage = (e: MessageEvent<DecodeRound[]>) => resolve(e.data);
        w.postMessage({ rounds, base: location.href, cache, repeat });
      })
    : await decodeSpeedRounds(await loadOrtWeb('wasm'), EMBEDDED_POLICY, read, rounds, cache, repeat);
  const result = { crossOriginIsolated, inWorker, cache, rounds: speeds };
  document.getElementById('out')!.textContent = JSON.stringify(result);
  (window as unknown as { __bench: unknown }).__bench = result;
}

async function main() {
  const client = new SqlEngineClient({ createWorker: () => new Worker(new URL('../workers/sqlEngine.worker.ts', import.meta.url), { type: 'module' }) });
  const open: Record<string, number> = {};
  for (const s of SAMPLES) {
    const bytes = new Uint8Array(await (await fetch(`/samples/${s.file}`)).arrayBuffer());
    const t0 = performance.now();
    await client.open(bytes);
    await client.schema();
    open[s.file] = Number((performance.now() - t0).toFixed(1));
  }
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await client.query('SELECT 1', 1);
    if (i >= 30) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const read = async (u: string) => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const policy: Record<string, unknown> = {};
  await client.open(await read('/samples/concert_singer.sqlite'));
  const only = new URLSearchParams(location.search).get('q');
  const qb = { schema: await client.schema(), run: (sql: string) => client.query(sql, 10_000), questions: only ? [BENCH_QUESTIONS[Number(only)]!] : BENCH_QUESTIONS };
  for (const backend of only ? ['wasm'] : ['wasm', 'webgpu']) {
    try {
      // WebGPU: decode speed only. Here its adapter is software (about 2 tok/s), and whole questions with best-of-8
      // would outlast the page's 10-minute budget.
      const wasm = backend === 'wasm';
      policy[backend] = await benchPolicy(await loadOrtWeb(backend as 'wasm' | 'webgpu'), EMBEDDED_POLICY, read, backend, wasm ? qb : undefined, wasm ? EMBEDDED_PRM : undefined);
    } catch (e) {
      policy[backend] = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  const result = {
    open,
    roundTripMedianMs: Number(times[Math.floor(times.length / 2)]!.toFixed(3)),
    roundTripP95Ms: Number(times[Math.floor(times.length * 0.95)]!.toFixed(3)),
    policy,
  };
  document.getElementById('out')!.textContent = JSON.stringify(result);
  (window as unknown as { __bench: unknown }).__bench = result;
}

const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? 0);
void (rounds > 0 ? decodeRounds(rounds) : main());
