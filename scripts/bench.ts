/**
 * Benchmarks (not tests). Writes bench/results.json and prints a summary whose last line holds the key numbers.
 *   npm run bench -- [--spider ../shared/data/spider] [--no-browser] [--limit N]   (run `npx vite build` first)
 * - open: time to open each bundled sample database (bytes -> engine -> schema), median of 5;
 * - steps: per-step execution latency of the decomposed Spider dev queries (median, p95) against the original
 *   monolithic query in the same run (as a ratio of the whole chain's step-by-step time to the monolithic time);
 * - worker: round-trip overhead of the engine worker (Node worker_threads, and a real Web Worker in headless Chromium);
 * - hub: brought models (the e2e Hub fixtures) in Chromium, load time and tokens/s on WASM (1 thread, every core) and
 *   WebGPU (`--hub-only` runs only this part and writes bench/hub.json);
 * - charts: the studio's first-load bundle, the chart code it loads on demand, and the time to draw a chart of 10,000
 *   rows in headless Chromium (scripts/lib/chartBench.ts; alone: `npm run bench:charts`);
 * - big: all steps of a chain as the studio runs them (each step reading the rows kept of the steps before it) against
 *   the monolithic query on a generated 1M-row database; opening generated 200 MB and 1 GB databases in Node and in
 *   headless Chromium through the studio's file input; the 2,000-table schema panel's render (scripts/lib/bigBench.ts;
 *   alone: `npm run bench -- --big-only`, writes bench/big.json).
 *   npm run bench -- --rounds N
 * instead compares WASM decode speed alone: N rounds of 96 tokens of the policy on onnxruntime-web's WASM backend in
 * Node, in headless Chromium on the page, and in a Chromium Web Worker, each round split into the time inside
 * ONNX Runtime's `run` and the rest. Writes bench/rounds.json.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { stepPrefixSql } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { BENCH_QUESTIONS, benchPolicy, decodeSpeedRounds, type DecodeRound } from '../src/bench/policyBench';
import { benchBrowser, benchPage } from './lib/benchBrowser';
import { hubBench } from './lib/hubBench';
import { bigBench } from './lib/bigBench';
import { chartBench, chartSummary } from './lib/chartBench';
import { nodeOrt, type NodeRuntime } from './lib/nodeOrt';
import { EnginePool, flags, readExamples, sqlJs } from './lib/spider';
import { median, percentile } from './lib/stats';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const limit = Number(args.get('limit') ?? Infinity);
const SQL = await sqlJs();
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
const rounds = Number(args.get('rounds') ?? 0);
if (rounds > 0) {
  await wasmRounds(rounds, Number(args.get('repeat') ?? 1));
  process.exit(0);
}
if (args.has('hub-only')) {
  await benchHub('bench/hub.json');
  process.exit(0);
}
if (args.has('big-only')) {
  await benchBig('bench/big.json');
  process.exit(0);
}

// 1. Opening the sample databases.
const samplesDir = 'public/samples';
const open: Record<string, { bytes: number; medianMs: number; tables: number }> = {};
for (const f of readdirSync(samplesDir).filter((f) => f.endsWith('.sqlite'))) {
  const bytes = new Uint8Array(readFileSync(join(samplesDir, f)));
  const times: number[] = [];
  let tables = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const e = new SqlJsEngine(SQL);
    e.open(bytes);
    tables = e.schema().tables.length;
    times.push(performance.now() - t0);
    e.close();
  }
  open[f] = { bytes: bytes.byteLength, medianMs: round(median(times)), tables };
}
results.open = open;
console.log('open (ms, median of 5):', Object.entries(open).map(([k, v]) => `${k} ${v.medianMs}`).join(', '));

// 2. Per-step latency against the monolithic query.
let stepSummary = 'steps: skipped (no Spider data)';
if (existsSync(join(spider, 'dev.json'))) {
  const pool = new EnginePool(SQL, join(spider, 'database'));
  const stepMs: number[] = [];
  const ratios: number[] = [];
  let chainTotal = 0;
  let reusedTotal = 0;
  let monoTotal = 0;
  let n = 0;
  for (const ex of readExamples(join(spider, 'dev.json')).slice(0, limit)) {
    const entry = pool.get(ex.db_id);
    if (!entry) continue;
    if (!entry.engine.query(ex.query, 1).ok) continue;
    const t = decomposeSql(ex.query, entry.schema);
    // Warm the page cache once, then time.
    entry.engine.query(ex.query, 1000);
    const m0 = performance.now();
    entry.engine.query(ex.query, 1000);
    const mono = performance.now() - m0;
    let chain = 0;
    for (let i = 0; i <= t.steps.length; i++) {
      const s0 = performance.now();
      entry.engine.query(stepPrefixSql(t, i), 1000);
      const ms = performance.now() - s0;
      stepMs.push(ms);
      chain += ms;
    }
    // The same steps as the studio runs them: each reads the rows kept of the steps before it.
    entry.engine.forgetSteps();
    const r0 = performance.now();
    for (let i = 0; i <= t.steps.length; i++) entry.engine.queryStep(t, i, 1000);
    reusedTotal += performance.now() - r0;
    chainTotal += chain;
    monoTotal += mono;
    ratios.push(chain / Math.max(mono, 0.01));
    n++;
  }
  results.steps = {
    queries: n,
    steps: stepMs.length,
    stepMedianMs: round(median(stepMs)),
    stepP95Ms: round(percentile(stepMs, 95)),
    chainOverMonolithicTotal: round(chainTotal / monoTotal),
    chainOverMonolithicMedian: round(median(ratios)),
    reusedChainOverMonolithicTotal: round(reusedTotal / monoTotal),
  };
  stepSummary = `step median ${round(median(stepMs))} ms p95 ${round(percentile(stepMs, 95))} ms over ${stepMs.length} steps of ${n} dev queries; all steps / monolithic = ${round(chainTotal / monoTotal)}x (median per query ${round(median(ratios))}x), reusing earlier steps' rows ${round(reusedTotal / monoTotal)}x`;
  console.log(stepSummary);
}

// 3. Policy decoding speed in Node, int8 model: onnxruntime-node (native CPU, both cores) and onnxruntime-web's WASM
// backend on one thread (the browser's code path).
const dir = 'models/policy';
const sampleDb = new SqlJsEngine(await sqlJs());
sampleDb.open(new Uint8Array(readFileSync('public/samples/concert_singer.sqlite')));
const qb = { schema: sampleDb.schema(), run: async (sql: string) => sampleDb.query(sql, 10_000), questions: BENCH_QUESTIONS };
const policyIn = async (runtime: NodeRuntime) => {
  const { ort, providers, label } = await nodeOrt(runtime);
  const r = await benchPolicy(ort, modelFiles(dir), async (p) => new Uint8Array(readFileSync(p)), providers[0]!, qb, modelFiles('models/prm'));
  console.log(`policy in Node, ${label}, int8: ${r.tokensPerSecond} tok/s, prefill ${r.promptTokens} tokens in ${r.prefillMs} ms, whole question median ${r.questions?.medianMs} ms, best-of-8 with PRM median ${r.bestOf8?.medianMs} ms`);
  const sp = r.syntaxSpeed;
  if (sp) console.log(`  greedy decode with the prefix checker ${sp.checker.tokensPerSecond} tok/s (${sp.checker.msPerQuestion} ms/question), without it ${sp.off.tokensPerSecond} (${sp.off.msPerQuestion}): ratio ${sp.checkerVsOff}`);
  return r;
};
const nodePolicy = await policyIn('node');
results.policyNode = nodePolicy;
const nodeWasmPolicy = await policyIn('web');
results.policyNodeWasm = nodeWasmPolicy;

// 4. Worker round trip (Node worker_threads running the same dispatcher).
const rt = await nodeWorkerRoundTrip();
results.workerNode = rt;
console.log(`worker round trip (node worker_threads): median ${rt.medianMs} ms, p95 ${rt.p95Ms} ms`);
let browserLine = '';
if (!args.has('no-browser')) {
  const b = await benchBrowser();
  results.browser = b;
  const bw = b.policy.wasm as { tokensPerSecond?: number; coldTokensPerSecond?: number; questions?: { medianMs: number; maxMs: number }; bestOf8?: { medianMs: number; maxMs: number }; syntaxSpeed?: { checkerVsOff: number; checker: { tokensPerSecond: number } } };
  const bg = b.policy.webgpu as { tokensPerSecond?: number; error?: string };
  browserLine = `; browser worker round trip median ${b.roundTripMedianMs} ms; policy tok/s Chromium wasm ${bw.tokensPerSecond ?? 'n/a'} (first 96 tokens after load ${bw.coldTokensPerSecond ?? 'n/a'}), webgpu ${bg.tokensPerSecond ?? bg.error}; whole question on Chromium wasm median ${bw.questions?.medianMs ?? 'n/a'} ms, max ${bw.questions?.maxMs ?? 'n/a'} ms (greedy with the checker ${bw.syntaxSpeed?.checker.tokensPerSecond ?? 'n/a'} tok/s, ${bw.syntaxSpeed?.checkerVsOff ?? 'n/a'} of the speed without it); best-of-8 + PRM on Chromium wasm median ${bw.bestOf8?.medianMs ?? 'n/a'} ms, max ${bw.bestOf8?.maxMs ?? 'n/a'} ms`;
  console.log(`browser (headless Chromium, vite preview, real Web Worker): ${JSON.stringify(b)}`);
}

const chartLine = args.has('no-browser') ? '' : await benchCharts();
const bigLine = await benchBig();
const hubLine = args.has('no-browser') ? '' : `; ${await benchHub()}`;

mkdirSync('bench', { recursive: true });
writeFileSync('bench/results.json', JSON.stringify(results, null, 2));
const ratio = (r: typeof nodePolicy) => (r.syntaxSpeed ? `; with the checker ${r.syntaxSpeed.checkerVsOff} of the speed without it` : '');
console.log(`bench: ${stepSummary}; node worker round trip ${rt.medianMs} ms; policy Node ${nodePolicy.tokensPerSecond} tok/s (onnxruntime-node${ratio(nodePolicy)}), ${nodeWasmPolicy.tokensPerSecond} tok/s (onnxruntime-web wasm${ratio(nodeWasmPolicy)})${browserLine}${chartLine}; ${bigLine}${hubLine} (bench/results.json)`);

/** Brought models (scripts/lib/hubBench.ts): each Hub fixture's load time and tokens/s on WASM (1 thread, every core) and WebGPU. */
async function benchHub(file?: string): Promise<string> {
  const { runs, line } = await hubBench();
  results.hub = runs;
  console.log(line);
  if (file) {
    mkdirSync('bench', { recursive: true });
    writeFileSync(file, JSON.stringify({ date: results.date, node: process.version, runs }, null, 2));
  }
  return line;
}

/** Big databases (scripts/lib/bigBench.ts): steps / monolithic on 1M rows, opening 200 MB and 1 GB, the 2,000-table panel. */
async function benchBig(file?: string): Promise<string> {
  const { report, line } = await bigBench(!args.has('no-browser'));
  results.big = report;
  console.log(line);
  if (file) {
    mkdirSync('bench', { recursive: true });
    writeFileSync(file, JSON.stringify({ date: results.date, node: process.version, ...report }, null, 2));
  }
  return line;
}

/** Charts and bundle size (scripts/lib/chartBench.ts): first-load bundle, chart code, draw time for 10,000 rows. */
async function benchCharts(): Promise<string> {
  const r = await chartBench();
  results.charts = r;
  console.log(`charts: ${chartSummary(r)}`);
  return `; ${chartSummary(r)}`;
}

/** Round trip of `SELECT 1` through a worker thread running the real dispatcher, minus the in-process query time. */
async function nodeWorkerRoundTrip(): Promise<{ medianMs: number; p95Ms: number; inProcessMs: number; n: number }> {
  const w = new Worker(new URL('./lib/nodeSqlWorker.mjs', import.meta.url));
  const call = (req: object) =>
    new Promise<{ type: string }>((resolve) => {
      w.once('message', resolve);
      w.postMessage(req);
    });
  await new Promise((resolve) => w.once('message', resolve));
  const bytes = new Uint8Array(readFileSync(join(samplesDir, 'chinook.sqlite')));
  await call({ id: 1, type: 'open', bytes });
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    await call({ id: i + 2, type: 'query', sql: 'SELECT 1', maxRows: 1 });
    if (i >= 50) times.push(performance.now() - t0);
  }
  await w.terminate();
  const local = new SqlJsEngine(SQL);
  local.open(bytes);
  const inProc: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    local.query('SELECT 1', 1);
    inProc.push(performance.now() - t0);
  }
  return { medianMs: round(median(times), 4), p95Ms: round(percentile(times, 95), 4), inProcessMs: round(median(inProc), 4), n: times.length };
}

/**
 * `--rounds N`: the same WASM decode in Node, on a Chromium page and in a Chromium Worker (the cache kept from
 * `present_step.*`), and on a Chromium page fetching the whole `present.*` cache every token; bench/rounds.json.
 */
async function wasmRounds(n: number, repeat: number): Promise<void> {
  const { ort } = await nodeOrt('web');
  const node = await decodeSpeedRounds(ort, modelFiles('models/policy'), async (p) => new Uint8Array(readFileSync(p)), n, 'step', repeat);
  const page = ((await benchPage(`bench.html?rounds=${n}&repeat=${repeat}`)) as { rounds: DecodeRound[]; crossOriginIsolated: boolean });
  const worker = ((await benchPage(`bench.html?rounds=${n}&worker&repeat=${repeat}`)) as { rounds: DecodeRound[] });
  const pageFull = ((await benchPage(`bench.html?rounds=${n}&cache=full&repeat=${repeat}`)) as { rounds: DecodeRound[] });
  // The warm rounds: every round after the first.
  const warm = (rs: DecodeRound[]) => {
    const w = rs.length > 1 ? rs.slice(1) : rs;
    const m = (f: (r: DecodeRound) => number) => round(median(w.map(f)));
    return { tokensPerSecond: m((r) => r.tokensPerSecond), runMsPerToken: m((r) => r.runMsPerToken), otherMsPerToken: m((r) => r.otherMsPerToken) };
  };
  const out = {
    date: results.date,
    node: process.version,
    rounds: n,
    schemaRepeat: repeat,
    crossOriginIsolated: page.crossOriginIsolated,
    nodeWasm: { rounds: node, warm: warm(node) },
    chromiumPage: { rounds: page.rounds, warm: warm(page.rounds) },
    chromiumWorker: { rounds: worker.rounds, warm: warm(worker.rounds) },
    chromiumPageFullCache: { rounds: pageFull.rounds, warm: warm(pageFull.rounds) },
  };
  mkdirSync('bench', { recursive: true });
  const file = repeat > 1 ? `bench/rounds-repeat${repeat}.json` : 'bench/rounds.json';
  writeFileSync(file, JSON.stringify(out, null, 2));
  const line = (label: string, w: ReturnType<typeof warm>) => `${label} ${w.tokensPerSecond} tok/s (forward ${w.runMsPerToken} ms + other ${w.otherMsPerToken} ms per token)`;
  console.log(`bench rounds (WASM, 1 thread, median of warm rounds): ${line('Node', out.nodeWasm.warm)}; ${line('Chromium page', out.chromiumPage.warm)}; ${line('Chromium worker', out.chromiumWorker.warm)}; ${line('Chromium page fetching the whole cache', out.chromiumPageFullCache.warm)}; Node / Chromium worker = ${round(out.nodeWasm.warm.tokensPerSecond / out.chromiumWorker.warm.tokensPerSecond)}x (${file})`);
}

/** A model folder's files (config, tokenizer, int8 ONNX, and generation config when it has one) as paths. */
function modelFiles(d: string) {
  const generationConfig = `${d}/generation_config.json`;
  return { config: `${d}/config.json`, tokenizer: `${d}/tokenizer.json`, tokenizerConfig: `${d}/tokenizer_config.json`, onnx: `${d}/onnx/model_quantized.onnx`, ...(existsSync(generationConfig) ? { generationConfig } : {}) };
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}
