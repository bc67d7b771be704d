/**
 * Step-labelled training data for the process reward model, from execution.
 *   npm run prm:data -- --spider ../shared/data/spider [--data models/data/train.jsonl] [--out models/prm/data]
 *     [--corruptions 2]
 * Sources (training databases only, the validation databases (VALIDATION_DBS) left out; dev is never used):
 *  - gold: the decomposed gold chain of every training example; every step is labelled correct (1);
 *  - corrupt: a gold step with one plausible mistake (corrupt.ts; the kind drawn evenly among those the step offers). Kept only when execution shows the mistake
 *    matters: the step fails (label 0, the chain ends there), or its view differs from the gold view and the final
 *    result differs from the gold result (label 0 for that step and every later one, 1 before it);
 * Each record holds the segments the PRM reads (prmInput.ts): the prompt, then per step its text and execution
 * summary, and one label per step. `--limit N` takes N examples spread over every database. Each query runs in a
 * worker with a timeout (`--timeout-ms`, 2000); a timed-out corrupted step counts as failing (label 0).
 * Writes train.jsonl and stats.json; last line `prm data: …`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCoCTE, printCoCTE, stepPrefixSql } from '../src/core/cocte';
import { corruptionSites, corruptStep } from '../src/core/corrupt';
import { mulberry32 } from '../src/core/decode';
import { prmSegments, stepChunks } from '../src/core/prmInput';
import { sameResult } from '../src/core/resultCompare';
import { StepRunner } from '../src/core/stepRunner';
import { ordersResult } from '../src/core/sqlAst';
import type { QueryOutcome, SchemaInfo, Trajectory } from '../src/core/types';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { nodeSqlWorker } from './lib/nodeWorkerShim';
import { dbPath, flags, interleaveByDb, VALIDATION_DBS } from './lib/spider';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const dataFile = args.get('data') ?? 'models/data/train.jsonl';
const outDir = args.get('out') ?? 'models/prm/data';
const perExample = Number(args.get('corruptions') ?? 2);
const maxExamples = Number(args.get('limit') ?? Infinity);
// Corrupted joins can turn into huge cross products: every query runs in a worker with a timeout.
const timeoutMs = Number(args.get('timeout-ms') ?? 2000);
if (!existsSync(dataFile)) throw new Error(`${dataFile} not found: run \`npm run data\` first`);

interface PolicyRow {
  db_id: string;
  question: string;
  gold: string;
  prompt: string;
  target: string;
  aug?: number;
  synthetic?: boolean;
}

interface PrmRecord {
  db_id: string;
  question: string;
  source: string;
  /** What the PRM reads (prmInput.ts): the prompt, then per step its text and execution summary. */
  segments: string[];
  /** The same without execution summaries (the ablation). */
  plain: string[];
  labels: number[];
}

const engine = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: timeoutMs });
let openDb = '';
let schema: SchemaInfo | null = null;
// Every database contributes: a limit takes the first examples of each database in turn.
const all = readFileSync(dataFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as PolicyRow)
  // Spider's own questions (no augmented copies, no template questions), none on the held-out validation databases.
  .filter((r) => !r.aug && !r.synthetic && !VALIDATION_DBS.includes(r.db_id));
const rows = interleaveByDb(all).slice(0, maxExamples).sort((a, b) => a.db_id.localeCompare(b.db_id));

const out: string[] = [];
const counts: Record<string, { tried: number; kept: number; steps: number; positive: number }> = {};
const count = (source: string, kept: boolean, labels: number[] = []) => {
  const c = (counts[source] ??= { tried: 0, kept: 0, steps: 0, positive: 0 });
  c.tried++;
  if (!kept) return;
  c.kept++;
  c.steps += labels.length;
  c.positive += labels.filter((l) => l === 1).length;
};

/** Runs every step prefix of a chain; view rows are capped (enough for the summary and for comparing views). */
async function runSteps(run: (sql: string) => Promise<QueryOutcome>, t: Trajectory): Promise<QueryOutcome[]> {
  return (await new StepRunner(run).runAll(t)).map((s) => s.outcome);
}



for (const [n, r] of rows.entries()) {
  if (r.db_id !== openDb) {
    const path = dbPath(join(spider, 'database'), r.db_id);
    if (!existsSync(path)) continue;
    await engine.open(new Uint8Array(readFileSync(path)));
    schema = await engine.schema();
    openDb = r.db_id;
  }
  const run = (sql: string) => engine.query(sql, 100_000);
  const gold = parseCoCTE(r.target).trajectory;
  const goldOut = await runSteps(run, gold);
  if (goldOut.some((o) => !o.ok)) continue; // a gold step timed out: no clean labels
  const ordered = ordersResult(r.gold);
  const chunks = stepChunks(printCoCTE(gold));
  const record = (source: string, c: string[], o: QueryOutcome[], labels: number[]) =>
    out.push(
      JSON.stringify({
        db_id: r.db_id,
        question: r.question,
        source,
        segments: prmSegments(r.prompt, c, o),
        plain: prmSegments(r.prompt, c, o, false),
        labels,
      } satisfies PrmRecord),
    );
  record('gold', chunks, goldOut, chunks.map(() => 1));
  count('gold', true, chunks.map(() => 1));

  const rand = mulberry32(n + 1);
  const used = new Set<string>();
  for (let k = 0; k < perExample * 3 && used.size < perExample; k++) {
    const j = Math.floor(rand() * (gold.steps.length + 1));
    const stepSql = j < gold.steps.length ? gold.steps[j]!.sql : gold.final.sql;
    // A kind drawn evenly among those this step offers (column sites are in nearly every step and would crowd out
    // the rarer near misses: a dropped condition, DISTINCT, ORDER BY).
    const kinds = [...new Set(corruptionSites(stepSql, schema!).map((s) => s.kind))];
    if (!kinds.length) continue;
    const c = corruptStep(stepSql, schema!, rand, kinds[Math.floor(rand() * kinds.length)]);
    if (!c || used.has(`${j}:${c.sql}`)) continue;
    used.add(`${j}:${c.sql}`);
    const source = `corrupt:${c.kind}`;
    const bad: Trajectory =
      j < gold.steps.length ? { ...gold, steps: gold.steps.map((s, i) => (i === j ? { ...s, sql: c.sql } : s)) } : { ...gold, final: { ...gold.final, sql: c.sql } };
    const view = await run(stepPrefixSql(bad, j));
    const badChunks = stepChunks(printCoCTE(bad));
    if (!view.ok) {
      const labels = badChunks.slice(0, j + 1).map((_, i) => (i < j ? 1 : 0));
      record(source, badChunks.slice(0, j + 1), [...goldOut.slice(0, j), view], labels);
      count(source, true, labels);
      continue;
    }
    const g = goldOut[j]!;
    const sameView = g.ok && sameResult(g.result.rows, view.result.rows, j === gold.steps.length && ordered);
    const badOut = [...goldOut.slice(0, j), view, ...(await runSteps(run, bad)).slice(j + 1)];
    const fin = badOut.at(-1)!;
    const goldFin = goldOut.at(-1)!;
    const sameFinal = fin.ok && goldFin.ok && sameResult(goldFin.result.rows, fin.result.rows, ordered);
    if (sameView || sameFinal) {
      count(source, false);
      continue;
    }
    const labels = badChunks.map((_, i) => (i < j ? 1 : 0));
    record(source, badChunks, badOut, labels);
    count(source, true, labels);
  }
  if ((n + 1) % 1000 === 0) console.log(`${n + 1}/${rows.length} examples, ${out.length} records`);
}

engine.dispose();
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'train.jsonl'), out.join('\n') + '\n');
const totals = Object.values(counts).reduce((a, c) => ({ steps: a.steps + c.steps, positive: a.positive + c.positive }), { steps: 0, positive: 0 });
// The prompts come from the policy data: record its layout so train_prm.py can declare it (cocte_prompt).
const policyStats = join(dirname(dataFile), 'stats.json');
const promptFormat = existsSync(policyStats) ? JSON.parse(readFileSync(policyStats, 'utf8')).promptFormat : undefined;
const stats = { promptFormat, examples: rows.length, timeoutMs, workerRestarts: engine.restarts, records: out.length, bySource: counts, steps: totals.steps, positiveSteps: totals.positive, positiveRate: Number((totals.positive / totals.steps).toFixed(4)) };
writeFileSync(join(outDir, 'stats.json'), JSON.stringify(stats, null, 2));
console.log(JSON.stringify(stats));
console.log(`prm data: ${out.length} chains, ${totals.steps} labelled steps, ${(100 * stats.positiveRate).toFixed(1)}% positive (${join(outDir, 'train.jsonl')})`);
