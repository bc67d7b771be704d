/**
 * Execution accuracy of the embedded policy on any Spider-format question set.
 *   npm run eval -- --questions ../shared/data/spider/dev.json --tables ../shared/data/spider/tables.json \
 *     --db-dir ../shared/data/spider/database [--limit N] [--stride K] [--strategy greedy|vote|bon|beam] [--out FILE] [--model models/policy]
 *     [--n 8] (candidates for vote / bon; decode budget per level for beam) [--agg weighted|min|mean|last|product]
 *     [--beam-width 2] [--prm models/prm] [--temperature 1] [--all-sampled] (vote / bon: every candidate sampled; by
 *     default the first one is the greedy chain) [--sample-token-ratio R] (vote / bon: a sampled candidate writes at most
 *     R × the greedy chain's tokens, at least 96; 0: no cap; default 2, as in the studio)
 *     [--token-beam W] (greedy: a token-level beam of width W, execution-guided; src/core/beamDecode.ts)
 *     [--no-constrain] (names are restricted to the schema unless this is given) [--dtype quantized|fp32]
 *     [--no-syntax] (with the name constraint, every token must also keep the chain a viable, scope-checked prefix
 *     (src/core/sqlcheck/, the default for every strategy); `--no-syntax`: names, literals and numbers only)
 *     [--fallback K] (execution-guided fallback: a step or final query that fails to execute backs up to its most
 *     uncertain token up to K times) [--fallback-empty] (with --fallback: a final query with no rows counts as failed
 *     too) [--free-literals] (string literals not restricted to the
 *     question's values and the schema's example values) [--free-numbers] (numbers outside quotes not restricted to
 *     the question's numbers)
 *     [--step-retries R] (a step that fails to execute is sampled again up to R times)
 *     [--feedback] (each finished step's execution summary is fed back to the policy) [--max-new-tokens N]
 *     [--question-timeout-ms MS]
 *     [--link names] (the prompt's schema linked by name and example value only, as policy runs 1–9 were trained;
 *     default `meaning`: also by WordNet meaning and database value, src/core/schemaLink.ts)
 *     [--dbs a,b,…] (only the questions on these databases)
 *     [--reword synonym|implicit|both] (each question reworded by src/core/lexicon/reword.ts, only the questions a
 *     rule changes kept) [--original-wording] (the same questions, in their original words)
 *     [--runtime node|web] (onnxruntime-node on every core, the default, or onnxruntime-web's WASM as in the browser)
 *     [--jobs J] (the questions split over J processes, one ONNX Runtime thread each, reports merged: the same
 *     answers in about 1/J of the time on J cores; scripts/lib/evalShards.ts)
 * Every decoding default is the studio's (src/core/answerConfig.ts, with the model folder's generation_config.json);
 * the flags above override it, and the report's summary records the whole `settings` object.
 * A question is correct when its predicted query returns the gold query's rows (a multiset; in order when the gold
 * query has ORDER BY), as in Spider's execution accuracy. Each SQL execution has a timeout. Questions whose database
 * file is missing are listed and excluded from n. With N candidates (vote, bon) the report also gives, from the same
 * candidates, vote@N, best-of-N with every aggregator and pass@N. Each question's wall time (`ms`: decoding, every step
 * run, PRM) is kept, with its median, 95th percentile and max in the summary (`questionMs`) and on the line before the
 * last. Last line: `EX <strategy>: X% (k/n)`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { answerSettings, ConstraintBuilder, decodeOptions } from '../src/core/answerConfig';
import type { Linking } from '../src/core/policy';
import { scoredOf, search, STRATEGIES, type Candidate, type Strategy } from '../src/core/search';
import { selectionRules } from '../src/core/selection';
import { AGGREGATORS, type Aggregator } from '../src/core/stepWeights';
import { blankResult, sameOutcome } from '../src/core/resultCompare';
import { ordersResult } from '../src/core/sqlAst';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { loadNodePolicy, loadNodePrm, readGenerationConfig, type NodeRuntime } from './lib/nodeOrt';
import { nodeSqlWorker } from './lib/nodeWorkerShim';
import { questionTimes, runShards, shardOf, withoutJobsAndOut } from './lib/evalShards';
import { dbPath, flags, readExamples, type SpiderExample } from './lib/spider';
import { rewordModeOf, SpiderRewording } from './lib/reworded';

const args = flags(process.argv.slice(2));
const questionsFile = args.get('questions') ?? '../shared/data/spider/dev.json';
const tablesFile = args.get('tables') ?? '../shared/data/spider/tables.json';
const dbDir = args.get('db-dir') ?? '../shared/data/spider/database';
const limit = Number(args.get('limit') ?? Infinity);
const strategy = (args.get('strategy') ?? 'greedy') as Strategy;
if (!STRATEGIES.includes(strategy)) throw new Error(`unknown strategy ${strategy} (${STRATEGIES.join(', ')})`);
const aggFlag = args.get('agg') as Aggregator | undefined;
if (aggFlag && !AGGREGATORS.includes(aggFlag)) throw new Error(`unknown aggregator ${aggFlag} (${AGGREGATORS.join(', ')})`);
const prmDir = args.get('prm') ?? 'models/prm';
const modelDir = args.get('model') ?? 'models/policy';
const dtype = args.get('dtype') ?? 'quantized';
const timeoutMs = Number(args.get('timeout-ms') ?? 10_000);
const num = (flag: string) => (args.has(flag) ? Number(args.get(flag)) : undefined);
const off = (flag: string) => (args.has(flag) ? false : undefined);
// Every decoding setting: answerConfig.ts's defaults (as in the studio), the flags given overriding them.
function linkFlag(v: string | undefined): Linking | undefined {
  if (v !== undefined && v !== 'meaning' && v !== 'names') throw new Error(`--link must be meaning or names, not ${v}`);
  return v;
}
const settings = answerSettings(strategy, readGenerationConfig(modelDir), {
  n: num('n'),
  agg: aggFlag,
  beamWidth: num('beam-width'),
  tokenBeam: num('token-beam'),
  temperature: num('temperature'),
  maxNewTokens: num('max-new-tokens'),
  sampleTokenRatio: num('sample-token-ratio'),
  greedyFirst: off('all-sampled'),
  constrained: off('no-constrain'),
  literals: off('free-literals'),
  numbers: off('free-numbers'),
  syntax: args.has('no-syntax') ? 'off' : undefined,
  fallbackTries: num('fallback'),
  fallbackEmpty: args.has('fallback-empty') || undefined,
  stepRetries: num('step-retries'),
  executionFeedback: args.has('feedback') || undefined,
  linking: linkFlag(args.get('link')),
});
const { n: nCand, agg, beamWidth, tokenBeam, constrained, literals, numbers, syntax, stepRetries: retries, executionFeedback: feedback, greedyFirst, fallbackTries } = settings;
const questionTimeoutMs = Number(args.get('question-timeout-ms') ?? 60_000);
const tag = strategy === 'greedy' ? '' : strategy === 'vote' ? `${nCand}` : strategy === 'bon' ? `${nCand}-${agg}` : `${nCand}-w${beamWidth}-${agg}`;

const knownDbs = existsSync(tablesFile) ? new Set((JSON.parse(readFileSync(tablesFile, 'utf8')) as { db_id: string }[]).map((t) => t.db_id)) : null;
// `--stride K` keeps every K-th question (a subset spread over every database), before `--limit`.
const stride = Math.max(1, Number(args.get('stride') ?? 1));
/**
 * `--reword MODE` (synonym | implicit | both): each question reworded by src/core/lexicon/reword.ts (seeded by its
 * position in the file), keeping only the questions a rule changes; `--original-wording` evaluates the same
 * questions in their original words, for the side-by-side comparison.
 */
const rewordMode = rewordModeOf(args.get('reword'));
const originalWording = args.has('original-wording');
function reworded(list: SpiderExample[]): SpiderExample[] {
  if (!rewordMode) return list;
  const rewording = new SpiderRewording(tablesFile, rewordMode);
  return list.flatMap((ex, i) => {
    const question = rewording.question(ex, i);
    if (!question) return [];
    return [originalWording ? ex : { ...ex, question, original: ex.question }];
  });
}
const out = args.get('out') ?? `eval/${strategy}${tag}${!constrained ? '-unconstrained' : syntax === 'checker' ? '' : '-nosyntax'}${fallbackTries ? `-fallback${fallbackTries}${settings.fallbackEmpty ? 'empty' : ''}` : ''}${constrained && !literals ? '-freeliterals' : ''}${literals && !numbers ? '-freenumbers' : ''}${tokenBeam > 1 ? `-tokenbeam${tokenBeam}` : ''}${retries ? `-retries${retries}` : ''}${feedback ? '-feedback' : ''}${strategy !== 'greedy' && !greedyFirst ? '-allsampled' : ''}${settings.linking === 'names' ? '-linknames' : ''}${rewordMode ? `-reword-${rewordMode}${originalWording ? '-original' : ''}` : ''}${stride > 1 ? `-stride${stride}` : ''}.json`;
/** `--dbs a,b,…`: only the questions on these databases (for example the policy's held-out validation databases). */
const onlyDbs = args.has('dbs') ? new Set(args.get('dbs')!.split(',')) : null;
const examples = reworded(readExamples(questionsFile).filter((ex) => !onlyDbs || onlyDbs.has(ex.db_id)))
  .filter((_, i) => i % stride === 0)
  .slice(0, limit);

/** Writes the report and prints its summary and, last, `EX <strategy>: X% (k/n)`. */
function finish(report: { summary: { n: number; correct: number; ex: number; questionMs?: ReturnType<typeof questionTimes> }; missing: string[]; questions: object[] }): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 1));
  console.log(JSON.stringify(report.summary));
  if (report.missing.length) console.log(`excluded (database file missing): ${report.missing.length} questions`);
  const s = report.summary as { blankGold?: number; correctOnBlankGold?: number };
  if (s.blankGold !== undefined) {
    const m = report.summary.n - s.blankGold;
    const c = report.summary.correct - (s.correctOnBlankGold ?? 0);
    console.log(`EX without the ${s.blankGold} questions whose gold result is empty or a single 0/NULL: ${((100 * c) / Math.max(1, m)).toFixed(1)}% (${c}/${m})`);
  }
  const t = report.summary.questionMs;
  if (t) console.log(`time per question (all steps run${strategy === 'greedy' ? '' : ', PRM'}): median ${t.median} ms, p95 ${t.p95} ms, max ${t.max} ms`);
  console.log(`EX ${strategy}: ${(100 * report.summary.ex).toFixed(1)}% (${report.summary.correct}/${report.summary.n})`);
}

const jobs = Math.max(1, Number(args.get('jobs') ?? 1));
const shard = shardOf(args.get('shard'));
if (jobs > 1 && !shard) {
  finish(await runShards(jobs, withoutJobsAndOut(process.argv.slice(2))));
  process.exit(0);
}
const { ort, providers, sessionOptions, runtimeLabel, tok, lm, file, vocabTexts } = await loadNodePolicy(modelDir, dtype, (args.get('runtime') ?? 'node') as NodeRuntime, shard ? 1 : undefined);
const prm = strategy === 'bon' || strategy === 'beam' ? await loadNodePrm(prmDir, ort, providers, sessionOptions) : undefined;
const constraints = new ConstraintBuilder(vocabTexts, settings);

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
let prmMs = 0;
let passAtN = 0;
/** Questions whose gold result is empty or one 0 / NULL: a wrong query matches it by chance (see `blankResult`). */
let blankGold = 0;
let kBlank = 0;
const altCorrect: Record<string, number> = {};
const altNonBlank: Record<string, number> = {};
const t0 = performance.now();

for (const [i, ex] of examples.entries()) {
  if (shard && i % shard.of !== shard.k) continue;
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
  n++;
  const constraint = constraints.forQuestion(schema, ex.question, openDb);
  const gold = await engine.query(ex.query, 1e6);
  const blank = gold.ok && blankResult(gold.result.rows);
  if (blank) blankGold++;
  // Per-question time limit on decoding (each SQL execution has its own timeout too).
  const signal = AbortSignal.timeout(questionTimeoutMs);
  const q0 = performance.now();
  const res = await search(lm, tok, schema, ex.question, (sql) => engine.query(sql, 1e6), { ...decodeOptions(settings, constraint), prm, signal, seed: i + 1 }).catch((e: Error) => e);
  const ms = Math.round(performance.now() - q0);
  if (res instanceof Error) {
    rows.push({ i, db_id: ex.db_id, question: ex.question, gold: ex.query, blankGold: blank, prediction: '', correct: false, error: res.message, timedOut: signal.aborted, ms });
    continue;
  }
  const isCorrect = (c: Candidate) => sameOutcome(gold, c.answer.steps.at(-1)!.outcome, ordersResult(ex.query));
  const candCorrect = res.candidates.map(isCorrect);
  const chosen = res.candidates[res.choice.index]!;
  tokens += res.tokens;
  decodeMs += res.decodeMs;
  prmMs += res.prmMs;
  resampled += res.candidates.reduce((a, c) => a + c.answer.decoded.resampledSteps, 0);
  const final = chosen.answer.steps.at(-1)!.outcome;
  if (final.ok) executed++;
  const correct = candCorrect[res.choice.index]!;
  if (correct) k++;
  if (correct && blank) kBlank++;
  if (candCorrect.some(Boolean)) passAtN++;
  // From the same candidates: every other selection rule.
  const alt: Record<string, boolean> = {};
  if (res.candidates.length > 1) {
    for (const [rule, index] of Object.entries(selectionRules(res.candidates.map(scoredOf), AGGREGATORS, !!prm))) alt[rule] = candCorrect[index]!;
    for (const [key, v] of Object.entries(alt)) altCorrect[key] = (altCorrect[key] ?? 0) + (v ? 1 : 0);
    if (!blank) for (const [key, v] of Object.entries(alt)) altNonBlank[key] = (altNonBlank[key] ?? 0) + (v ? 1 : 0);
  }
  rows.push({
    i,
    db_id: ex.db_id,
    question: ex.question,
    gold: ex.query,
    blankGold: blank,
    prediction: chosen.answer.sql,
    steps: chosen.answer.steps.map((s, j) => ({
      name: s.name,
      ok: s.outcome.ok,
      rows: s.outcome.ok ? s.outcome.result.totalRows : null,
      error: s.outcome.ok ? null : s.outcome.error,
      entropy: Number(s.meanEntropy.toFixed(3)),
      ...(chosen.stepScores.length ? { prm: Number(chosen.stepScores[j]?.toFixed(3)) } : {}),
    })),
    correct,
    stopped: chosen.answer.decoded.stopped,
    tokens: chosen.answer.decoded.tokenIds.length,
    fallbacks: chosen.answer.decoded.fallbacks,
    error: final.ok ? null : final.error,
    timedOut: signal.aborted,
    ms,
    ...(res.candidates.length > 1
      ? {
          choice: res.choice,
          alternatives: alt,
          candidates: res.candidates.map((c, j) => ({ sql: c.answer.sql, text: c.answer.text, logProb: Number(scoredOf(c).logProb!.toFixed(4)), tokens: c.answer.decoded.tokenIds.length, stopped: c.answer.decoded.stopped, ok: c.answer.steps.at(-1)!.outcome.ok, correct: candCorrect[j], prm: c.stepScores.map((x) => Number(x.toFixed(3))), entropy: c.stepEntropies.map((x) => Number(x.toFixed(3))) })),
        }
      : {}),
  });
  if (n % 25 === 0) console.log(`${n} questions: EX ${((100 * k) / n).toFixed(1)}%, executable ${((100 * executed) / n).toFixed(1)}%, ${(tokens / (decodeMs / 1000)).toFixed(0)} tok/s`);
}
engine.dispose();

const summary = {
  strategy,
  ...(strategy === 'greedy' ? {} : { candidates: nCand, temperature: settings.temperature, greedyFirst, sampleTokenRatio: settings.sampleTokenRatio, ...(strategy === 'vote' ? {} : { aggregator: agg, prm: prmDir }), ...(strategy === 'beam' ? { beamWidth } : {}) }),
  constrained,
  syntax,
  literals,
  numbers,
  stepRetries: retries,
  ...(tokenBeam > 1 ? { tokenBeam } : {}),
  executionFeedback: feedback,
  settings,
  model: file,
  runtime: runtimeLabel,
  questions: questionsFile,
  stride,
  n,
  correct: k,
  ex: n ? k / n : 0,
  blankGold,
  correctOnBlankGold: kBlank,
  exNonBlank: n > blankGold ? (k - kBlank) / (n - blankGold) : 0,
  executable: n ? executed / n : 0,
  excludedMissingDb: missing.length,
  resampledSteps: resampled,
  ...(strategy === 'greedy' ? {} : { passAtN: n ? passAtN / n : 0, sameCandidates: Object.fromEntries(Object.entries(altCorrect).map(([key, v]) => [key, n ? Number((v / n).toFixed(4)) : 0])),
        sameCandidatesNonBlank: Object.fromEntries(Object.entries(altNonBlank).map(([key, v]) => [key, n > blankGold ? Number((v / (n - blankGold)).toFixed(4)) : 0])) }),
  counts: { executable: executed, ...(strategy === 'greedy' ? {} : { passAtN, sameCandidates: altCorrect, sameCandidatesNonBlank: altNonBlank }) },
  prmSeconds: Number((prmMs / 1000).toFixed(1)),
  secondsPerQuestion: 0,
  tokens,
  decodeSeconds: Number((decodeMs / 1000).toFixed(1)),
  decodeTokensPerSecond: Number((tokens / (decodeMs / 1000)).toFixed(1)),
  seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
};
summary.secondsPerQuestion = n ? Number((summary.seconds / n).toFixed(2)) : 0;
finish({ summary: { ...summary, questionMs: questionTimes(rows) }, missing, questions: rows });
