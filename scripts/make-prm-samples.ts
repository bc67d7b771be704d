/**
 * Step-labelled PRM data from the policy's own chains (issue 4 §1), to add to the gold / corrupted-gold records of
 * make-prm-data.ts: the PRM must learn to judge the mistakes the policy actually makes.
 *   npm run prm:samples -- [--spider ../shared/data/spider] [--data models/data/train.jsonl]
 *     [--out models/prm/data/samples.jsonl] [--limit 400] [--samples 4] [--rollouts 2] [--temperature 1] [--model models/policy]
 *     [--jobs J] [--renamed SHARE] [--invented K]
 * The questions (scripts/lib/prmSampleTasks.ts): Spider's training questions spread over the training databases,
 * `--renamed` of them on a respelled copy of their database, plus `--invented` template questions over invented-name
 * copies; the held-out validation databases and dev are never used. For each question the
 * policy samples `samples` chains (constrained as in the studio, from one shared prompt cache); every step runs.
 * Labels per step:
 *  - the chain returns the gold result: every step 1;
 *  - a step that fails to execute: 0, and the record ends there;
 *  - a step whose view equals a view of the gold chain (rows as a multiset): 1;
 *  - any other step: a Monte-Carlo estimate: `rollouts` completions are sampled from the chain up to and including
 *    that step; 1 when one of them returns the gold result, else 0. Once a step is 0 every later step is 0.
 * Records have make-prm-data's format (`source: "sample"`). Last line: `prm samples: …`.
 * With --jobs J the questions are split over J processes (question i to process i mod J, one ONNX Runtime thread
 * each; seeds depend on i only, so the records are those of one process, in another order) and their files joined.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCoCTE } from '../src/core/cocte';
import { decomposeSql } from '../src/core/decompose';
import { answerSettings, chainOptions, ConstraintBuilder } from '../src/core/answerConfig';
import { prefill } from '../src/core/decode';
import { answer, policyPrompt, promptBudget, questionValues, type PolicyAnswer } from '../src/core/policy';
import { prmSegments, stepChunks } from '../src/core/prmInput';
import { sameOutcome } from '../src/core/resultCompare';
import { StepRunner } from '../src/core/stepRunner';
import { ordersResult } from '../src/core/sqlAst';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { loadNodePolicy, readGenerationConfig } from './lib/nodeOrt';
import { nodeSqlWorker } from './lib/nodeWorkerShim';
import { shardOf, spawnShards, withoutJobsAndOut } from './lib/evalShards';
import { flags, sqlJs } from './lib/spider';
import { sampleTasks, type SampleSource } from './lib/prmSampleTasks';

const args = flags(process.argv.slice(2));
const spider = args.get('spider') ?? '../shared/data/spider';
const dataFile = args.get('data') ?? 'models/data/train.jsonl';
const outFile = args.get('out') ?? 'models/prm/data/samples.jsonl';
const limit = Number(args.get('limit') ?? 400);
const renamedShare = Number(args.get('renamed') ?? 0);
const inventedCount = Number(args.get('invented') ?? 0);
const nSamples = Number(args.get('samples') ?? 4);
const rollouts = Number(args.get('rollouts') ?? 2);
const modelDir = args.get('model') ?? 'models/policy';
// Sampled as best-of-N samples its candidates in the studio and the evaluation (answerConfig.ts).
const settings = answerSettings('bon', readGenerationConfig(modelDir), {
  temperature: args.has('temperature') ? Number(args.get('temperature')) : undefined,
});
const { temperature } = settings;
if (!existsSync(dataFile)) throw new Error(`${dataFile} not found: run \`npm run data\` first`);
const jobs = Math.max(1, Number(args.get('jobs') ?? 1));
const shard = shardOf(args.get('shard'));
const statsFile = (f: string) => f.replace(/\.jsonl$/, '') + '.stats.json';
const RULES = ['correct', 'failed', 'goldView', 'rolloutPositive', 'rolloutNegative', 'afterNegative'] as const;
const ORIGINS: SampleSource[] = ['spider', 'renamed', 'invented'];
type Counts = { questions: number; chains: number; correctChains: number; steps: number; positive: number };
type Stats = Counts & { byRule: Record<(typeof RULES)[number], number>; byOrigin: Record<SampleSource, Counts>; rolloutDecodes: number };
const zero = (): Counts => ({ questions: 0, chains: 0, correctChains: 0, steps: 0, positive: 0 });

if (jobs > 1 && !shard) {
  const dir = mkdtempSync(join(tmpdir(), 'cocte-prm-samples-'));
  const t = performance.now();
  try {
    const outs = Array.from({ length: jobs }, (_, k) => join(dir, `shard${k}.jsonl`));
    await spawnShards(jobs, withoutJobsAndOut(process.argv.slice(2)), outs);
    const parts = outs.map((f) => JSON.parse(readFileSync(statsFile(f), 'utf8')) as Stats);
    const add = (f: (s: Stats) => number) => parts.reduce((a, p) => a + f(p), 0);
    const byRule = Object.fromEntries(RULES.map((k) => [k, add((p) => p.byRule[k])])) as Stats['byRule'];
    const sum = (f: (s: Stats) => Counts): Counts => Object.fromEntries(Object.keys(zero()).map((k) => [k, add((p) => f(p)[k as keyof Counts])])) as Counts;
    const byOrigin = Object.fromEntries(ORIGINS.map((o) => [o, sum((p) => p.byOrigin[o])])) as Stats['byOrigin'];
    const merged = { ...sum((p) => p), byRule, byOrigin, rolloutDecodes: add((p) => p.rolloutDecodes) };
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, outs.map((f) => readFileSync(f, 'utf8')).join(''));
    finish(merged, `onnxruntime-node (cpu), ${jobs} processes`, (performance.now() - t) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

/** Writes the stats file beside `outFile` and prints the summary and the last line. */
function finish(stats: Stats, runtime: string, seconds: number) {
  const summary = { ...stats, runtime, samplesPerQuestion: nSamples, rollouts, temperature, settings, positiveRate: Number((stats.positive / Math.max(1, stats.steps)).toFixed(4)), seconds: Number(seconds.toFixed(1)) };
  writeFileSync(statsFile(outFile), JSON.stringify(summary, null, 2));
  console.log(JSON.stringify(summary));
  console.log(`prm samples: ${stats.chains} chains from ${stats.questions} questions, ${stats.steps} labelled steps, ${(100 * summary.positiveRate).toFixed(1)}% positive (${outFile})`);
}

// Spider's questions, some on respelled copies of their databases, and template questions on invented-name copies.
const rows = sampleTasks(await sqlJs(), spider, dataFile, { limit, renamedShare, invented: inventedCount });

const { lm, tok, vocabTexts, runtimeLabel } = await loadNodePolicy(modelDir, 'quantized', 'node', shard ? 1 : undefined);
const engine = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: 2000 });
const run = (sql: string) => engine.query(sql, 100_000);

const out: string[] = [];
const stats: Stats = { ...zero(), byRule: Object.fromEntries(RULES.map((k) => [k, 0])) as Stats['byRule'], byOrigin: Object.fromEntries(ORIGINS.map((o) => [o, zero()])) as Stats['byOrigin'], rolloutDecodes: 0 };
let openDb = '';
const constraints = new ConstraintBuilder(vocabTexts, settings);
const t0 = performance.now();

for (const [qi, r] of rows.entries()) {
  if (shard && qi % shard.of !== shard.k) continue;
  if (r.dbKey !== openDb) {
    await engine.open(r.bytes());
    openDb = r.dbKey;
  }
  const schema = await engine.schema();
  const gold = r.target ? parseCoCTE(r.target).trajectory : decomposeSql(r.gold, schema);
  const goldViews = (await new StepRunner(run).runAll(gold)).map((s) => s.outcome);
  const goldFinal = goldViews.at(-1)!;
  if (!goldViews.every((o) => o.ok)) continue;
  const origin = stats.byOrigin[r.source];
  stats.questions++;
  origin.questions++;
  const ordered = ordersResult(r.gold);
  const values = await questionValues(r.question, schema, run, settings.linking);
  const prompt = policyPrompt(r.question, schema, lm.promptFormat, { budget: promptBudget(lm, tok), values, linking: settings.linking });
  const pre = await prefill(lm, tok, prompt);
  // Every sample decodes from this prompt's cache, with the value columns looked up once.
  const common = { ...chainOptions(settings, constraints.forQuestion(schema, r.question, r.db_id)), prefilled: pre, values };
  const correct = (a: PolicyAnswer) => sameOutcome(goldFinal, a.steps.at(-1)!.outcome, ordered);
  const seen = new Set<string>();
  for (let k = 0; k < nSamples; k++) {
    const a = await answer(lm, tok, schema, r.question, run, { ...common, seed: 1000 * qi + k + 1 });
    const chunks = stepChunks(a.text);
    if (seen.has(a.text) || chunks.length !== a.steps.length) continue;
    seen.add(a.text);
    stats.chains++;
    origin.chains++;
    const outcomes = a.steps.map((s) => s.outcome);
    const labels: number[] = [];
    if (correct(a)) {
      stats.correctChains++;
      origin.correctChains++;
      labels.push(...chunks.map(() => 1));
      stats.byRule.correct += chunks.length;
    } else {
      let end = 0; // character offset where the current step ends in a.text
      for (let i = 0; i < chunks.length; i++) {
        end += chunks[i]!.length;
        const o = outcomes[i]!;
        if (labels.includes(0)) {
          labels.push(0);
          stats.byRule.afterNegative++;
        } else if (!o.ok) {
          labels.push(0);
          stats.byRule.failed++;
          break;
        } else if (goldViews.some((g) => sameOutcome(g, o, false))) {
          labels.push(1);
          stats.byRule.goldView++;
        } else if (i === chunks.length - 1) {
          labels.push(0); // the final query itself returns a wrong result
          stats.byRule.rolloutNegative++;
        } else {
          // Monte-Carlo: continue from the chain up to this step, a few times.
          const n = a.decoded.tokenEnds.findIndex((e) => e >= end) + 1;
          let reached = false;
          for (let m = 0; m < rollouts && !reached; m++) {
            const resume = { tokenIds: a.decoded.tokenIds.slice(0, n), entropies: a.decoded.entropies.slice(0, n), tokenEnds: a.decoded.tokenEnds.slice(0, n) };
            const c = await answer(lm, tok, schema, r.question, run, { ...common, resume, seed: 7919 * (qi + 1) + 31 * k + m });
            stats.rolloutDecodes++;
            reached = correct(c);
          }
          labels.push(reached ? 1 : 0);
          stats.byRule[reached ? 'rolloutPositive' : 'rolloutNegative']++;
        }
      }
    }
    const kept = chunks.slice(0, labels.length);
    out.push(
      JSON.stringify({
        db_id: r.db_id,
        question: r.question,
        source: 'sample',
        origin: r.source,
        segments: prmSegments(prompt, kept, outcomes),
        plain: prmSegments(prompt, kept, outcomes, false),
        labels,
      }),
    );
    for (const c of [stats, origin]) {
      c.steps += labels.length;
      c.positive += labels.filter((l) => l === 1).length;
    }
  }
  lm.release?.(pre.past);
  if ((qi + 1) % 25 === 0) console.log(`${qi + 1}/${rows.length} questions, ${stats.chains} chains (${stats.correctChains} correct), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
engine.dispose();

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, out.length ? out.join('\n') + '\n' : '');
finish(stats, runtimeLabel, (performance.now() - t0) / 1000);
