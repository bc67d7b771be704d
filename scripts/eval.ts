/**
 * Execution accuracy of the embedded policy on any Spider-format question set.
 *   npm run eval -- --questions ../shared/data/spider/dev.json --tables ../shared/data/spider/tables.json \
 *     --db-dir ../shared/data/spider/database [--limit N] [--strategy greedy] [--out eval/greedy.json] [--model models/policy]
 *     [--no-constrain] (names are restricted to the schema unless this is given) [--dtype quantized|fp32]
 *     [--step-retries R] (a step that fails to execute is sampled again up to R times)
 *     [--feedback] (each finished step's execution summary is fed back to the policy) [--question-timeout-ms MS]
 * A question is correct when its predicted query returns the gold query's rows (a multiset; in order when the gold
 * query has ORDER BY), as in Spider's execution accuracy. Each SQL execution has a timeout. Questions whose database
 * file is missing are listed and excluded from n. Last line: `EX greedy: X% (k/n)`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { IdentifierConstraint, tokenTexts } from '../src/core/constrain';
import { answer } from '../src/core/policy';
import { sameResult } from '../src/core/resultCompare';
import { ordersResult } from '../src/core/sqlAst';
import { loadTokenizer } from '../src/core/tokenizer';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { OrtCausalLM } from '../src/workers/ortCausalLM';
import { nodeSqlWorker } from './lib/nodeWorkerShim';
import { dbPath, flags, readExamples } from './lib/spider';

const args = flags(process.argv.slice(2));
const questionsFile = args.get('questions') ?? '../shared/data/spider/dev.json';
const tablesFile = args.get('tables') ?? '../shared/data/spider/tables.json';
const dbDir = args.get('db-dir') ?? '../shared/data/spider/database';
const limit = Number(args.get('limit') ?? Infinity);
const strategy = args.get('strategy') ?? 'greedy';
const modelDir = args.get('model') ?? 'models/policy';
const dtype = args.get('dtype') ?? 'quantized';
const timeoutMs = Number(args.get('timeout-ms') ?? 10_000);
const constrained = !args.has('no-constrain');
const retries = Number(args.get('step-retries') ?? 0);
const feedback = args.has('feedback');
const questionTimeoutMs = Number(args.get('question-timeout-ms') ?? 60_000);
const out = args.get('out') ?? `eval/${strategy}${constrained ? '' : '-unconstrained'}${retries ? `-retries${retries}` : ''}${feedback ? '-feedback' : ''}.json`;
if (strategy !== 'greedy') throw new Error(`strategy ${strategy} is not implemented yet (greedy only)`);

const knownDbs = existsSync(tablesFile) ? new Set((JSON.parse(readFileSync(tablesFile, 'utf8')) as { db_id: string }[]).map((t) => t.db_id)) : null;
const examples = readExamples(questionsFile).slice(0, limit);
ort.env.wasm.numThreads = 1;
const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
const tok = loadTokenizer(JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')));
const file = join(modelDir, 'onnx', dtype === 'fp32' ? 'model.onnx' : `model_${dtype}.onnx`);
const lm = await OrtCausalLM.create(ort, new Uint8Array(readFileSync(file)), config, ['wasm']);
const vocabTexts = tokenTexts(tok.decode, lm.vocabSize);
let constraint: IdentifierConstraint | null = null;
let constraintDb = '';

const engine = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: timeoutMs });
let openDb = '';
const missing: string[] = [];
const rows: object[] = [];
let n = 0;
let k = 0;
let executed = 0;
let tokens = 0;
let decodeMs = 0;
let resampled = 0;
const t0 = performance.now();

for (const [i, ex] of examples.entries()) {
  const path = dbPath(dbDir, ex.db_id);
  if (!existsSync(path) || (knownDbs && !knownDbs.has(ex.db_id))) {
    missing.push(`${i}:${ex.db_id}`);
    continue;
  }
  if (openDb !== ex.db_id) {
    await engine.open(new Uint8Array(readFileSync(path)));
    openDb = ex.db_id;
  }
  const schema = await engine.schema();
  if (constrained && (!constraint || openDb !== constraintDb)) {
    constraint = new IdentifierConstraint(schema, vocabTexts);
    constraintDb = openDb;
  }
  n++;
  const gold = await engine.query(ex.query, 1e6);
  // Per-question time limit on decoding (each SQL execution has its own timeout too).
  const signal = AbortSignal.timeout(questionTimeoutMs);
  const res = await answer(lm, tok, schema, ex.question, (sql) => engine.query(sql, 1e6), {
    maxNewTokens: 320,
    stepRetries: retries,
    executionFeedback: feedback,
    signal,
    seed: i + 1,
    ...(constrained && constraint ? { constrain: (text: string, logits: Float32Array) => constraint!.apply(text, logits) } : {}),
  });
  tokens += res.decoded.tokenIds.length;
  resampled += res.decoded.resampledSteps;
  decodeMs += res.decoded.decodeMs;
  const final = res.steps[res.steps.length - 1]!.outcome;
  if (final.ok) executed++;
  const correct = gold.ok && final.ok && sameResult(gold.result.rows, final.result.rows, ordersResult(ex.query));
  if (correct) k++;
  rows.push({
    i,
    db_id: ex.db_id,
    question: ex.question,
    gold: ex.query,
    prediction: res.sql,
    steps: res.steps.map((s) => ({ name: s.name, ok: s.outcome.ok, rows: s.outcome.ok ? s.outcome.result.totalRows : null, error: s.outcome.ok ? null : s.outcome.error, entropy: Number(s.meanEntropy.toFixed(3)) })),
    correct,
    error: final.ok ? null : final.error,
    timedOut: res.decoded.stopped === 'aborted',
  });
  if (n % 25 === 0) console.log(`${n} questions: EX ${((100 * k) / n).toFixed(1)}%, executable ${((100 * executed) / n).toFixed(1)}%, ${(tokens / (decodeMs / 1000)).toFixed(0)} tok/s`);
}
engine.dispose();

const summary = {
  strategy,
  constrained,
  stepRetries: retries,
  executionFeedback: feedback,
  model: file,
  questions: questionsFile,
  n,
  correct: k,
  ex: n ? k / n : 0,
  executable: n ? executed / n : 0,
  excludedMissingDb: missing.length,
  resampledSteps: resampled,
  decodeTokensPerSecond: Number((tokens / (decodeMs / 1000)).toFixed(1)),
  seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ summary, missing, questions: rows }, null, 1));
console.log(JSON.stringify(summary));
if (missing.length) console.log(`excluded (database file missing): ${missing.length} questions`);
console.log(`EX ${strategy}: ${(100 * summary.ex).toFixed(1)}% (${k}/${n})`);
