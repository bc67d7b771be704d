/**
 * npm run prm:select: how well a PRM picks among saved candidates (issue 20 §1), without decoding again.
 *   npm run prm:select -- --report eval/bon8-valdbs-rl.json [--prm models/prm] [--db-dir ../shared/data/spider/database]
 *     [--first K] (only each question's first K candidates: best-of-K from a best-of-N report, N > K, whose first K
 *     candidates are the ones a best-of-K run decodes, as candidates are seeded by their position) [--out FILE]
 * The report is a best-of-N or vote report of `npm run eval` (each candidate's text, log-probability, entropies and
 * whether it is right are kept). Every candidate's steps run again on its database and the PRM scores them; then,
 * over the same candidates:
 *  - every selection rule of the studio and the evaluation (selection.ts `selectionRules`: the vote, the PRM alone
 *    per aggregator, the PRM-weighted vote, LEVER's rule, the vote weighted by the policy's probability), greedy (the
 *    first candidate) and pass@N;
 *  - calibration: the executable candidates bucketed by their aggregate score (tenths), with the share right in each
 *    bucket and the expected calibration error, per aggregator;
 *  - the chain AUC: how often a right executable candidate outscores a wrong one of the same question.
 * Use it on the held-out validation databases (`eval --dbs …` with VALIDATION_DBS) to choose a PRM and the studio's
 * rule; dev is measured once at the end. Last line: `prm select: <best rule> X% … vote Y% greedy Z% pass@N W%`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { policyPrompt, questionValues, replayChain, type Linking } from '../src/core/policy';
import { scoreChain } from '../src/core/prm';
import { selectionRules, type ScoredCandidate } from '../src/core/selection';
import { aggregate, AGGREGATORS } from '../src/core/stepWeights';
import { SqlEngineClient } from '../src/workers/sqlEngineClient';
import { loadNodePrm, nodeOrt } from './lib/nodeOrt';
import { nodeSqlWorker } from './lib/nodeWorkerShim';
import { dbPath, flags } from './lib/spider';

interface SavedCandidate {
  text: string;
  logProb: number;
  ok: boolean;
  correct: boolean;
  entropy: number[];
}
interface SavedQuestion {
  i: number;
  db_id: string;
  question: string;
  candidates?: SavedCandidate[];
}

const args = flags(process.argv.slice(2));
const reportFile = args.get('report');
if (!reportFile || !existsSync(reportFile)) throw new Error('--report FILE: a best-of-N or vote report of `npm run eval` is needed');
const prmDir = args.get('prm') ?? 'models/prm';
const dbDir = args.get('db-dir') ?? '../shared/data/spider/database';
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { summary: { settings?: { linking?: Linking } }; questions: SavedQuestion[] };
const linking = report.summary.settings?.linking ?? 'meaning';
const questions = report.questions.filter((q) => q.candidates?.length);
if (!questions.length || questions[0]!.candidates![0]!.text === undefined) throw new Error(`${reportFile} keeps no candidate texts: run \`npm run eval -- --strategy bon\` again`);
const first = Number(args.get('first') ?? Infinity);
const out = args.get('out') ?? `eval/prm-select-${basename(reportFile, '.json')}-${basename(prmDir)}${Number.isFinite(first) ? `-first${first}` : ''}.json`;

const { ort, providers } = await nodeOrt('node');
const prm = await loadNodePrm(prmDir, ort, providers);
const engine = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: 5000 });
const run = (sql: string) => engine.query(sql, 1e6);
const t0 = performance.now();

const right: Record<string, number> = {};
let greedy = 0;
let passAtN = 0;
/** Per aggregator: every executable candidate's (score, right). */
const points: Record<string, { s: number; y: boolean; q: number }[]> = Object.fromEntries(AGGREGATORS.map((a) => [a, []]));
let openDb = '';
for (const [qi, q] of questions.entries()) {
  if (q.db_id !== openDb) {
    await engine.open(new Uint8Array(readFileSync(dbPath(dbDir, q.db_id))));
    openDb = q.db_id;
  }
  const schema = await engine.schema();
  const values = await questionValues(q.question, schema, run, linking);
  const prompt = policyPrompt(q.question, schema, prm.model.promptFormat, { values, linking });
  const cands = q.candidates!.slice(0, first);
  const scored: ScoredCandidate[] = [];
  for (const c of cands) {
    const outcomes = await replayChain(c.text, run);
    const stepScores = await scoreChain(prm.model, prm.tok, prompt, c.text, outcomes);
    // Entropies as saved; a replayed chain that split into more steps than saved gets the last one repeated.
    const stepEntropies = outcomes.map((_, j) => c.entropy[Math.min(j, c.entropy.length - 1)] ?? 0);
    scored.push({ outcome: outcomes.at(-1)!, stepScores, stepEntropies, logProb: c.logProb });
  }
  for (const [rule, index] of Object.entries(selectionRules(scored, AGGREGATORS, true))) right[rule] = (right[rule] ?? 0) + (cands[index]!.correct ? 1 : 0);
  if (cands[0]!.correct) greedy++;
  if (cands.some((c) => c.correct)) passAtN++;
  for (const a of AGGREGATORS) scored.forEach((c, j) => c.outcome.ok && points[a]!.push({ s: aggregate(c.stepScores, a, c.stepEntropies), y: cands[j]!.correct, q: qi }));
  if ((qi + 1) % 50 === 0) console.log(`${qi + 1}/${questions.length} questions, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
engine.dispose();

const n = questions.length;
const pct = (k: number) => Number(((100 * k) / n).toFixed(1));
/** Ten buckets of the score, the share right in each, and the expected calibration error. */
function calibration(ps: { s: number; y: boolean }[]) {
  const buckets = Array.from({ length: 10 }, (_, b) => {
    const inB = ps.filter((p) => Math.min(9, Math.floor(p.s * 10)) === b);
    const meanScore = inB.reduce((a, p) => a + p.s, 0) / Math.max(1, inB.length);
    const shareRight = inB.filter((p) => p.y).length / Math.max(1, inB.length);
    return { range: `${(b / 10).toFixed(1)}-${((b + 1) / 10).toFixed(1)}`, n: inB.length, meanScore: Number(meanScore.toFixed(3)), shareRight: Number(shareRight.toFixed(3)) };
  });
  const ece = buckets.reduce((a, b) => a + (b.n / Math.max(1, ps.length)) * Math.abs(b.meanScore - b.shareRight), 0);
  return { buckets, ece: Number(ece.toFixed(4)) };
}
/** Within each question: the share of (right, wrong) executable pairs where the right one scores higher (ties: half). */
function questionAuc(ps: { s: number; y: boolean; q: number }[]) {
  let wins = 0;
  let pairs = 0;
  for (const p of ps)
    if (p.y)
      for (const r of ps)
        if (r.q === p.q && !r.y) {
          pairs++;
          wins += p.s > r.s ? 1 : p.s === r.s ? 0.5 : 0;
        }
  return { pairs, auc: pairs ? Number((wins / pairs).toFixed(4)) : null };
}

const rules = Object.fromEntries(Object.entries(right).map(([k, v]) => [k, { right: v, ex: pct(v) }]));
const byAggregator = Object.fromEntries(AGGREGATORS.map((a) => [a, { ...calibration(points[a]!), ...questionAuc(points[a]!) }]));
const best = Object.entries(right).filter(([k]) => k !== 'vote' && k !== 'vote+prob').sort((a, b) => b[1] - a[1])[0]!;
const summary = { report: reportFile, prm: prmDir, questions: n, candidates: Math.min(first, questions[0]!.candidates!.length), greedy: { right: greedy, ex: pct(greedy) }, passAtN: { right: passAtN, ex: pct(passAtN) }, rules, byAggregator, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
mkdirSync(dirname(out) || '.', { recursive: true });
writeFileSync(out, JSON.stringify(summary, null, 2));
for (const [k, v] of Object.entries(rules).sort((a, b) => b[1].right - a[1].right)) console.log(`${k.padEnd(16)} ${String(v.ex).padStart(5)}% (${v.right}/${n})`);
for (const a of AGGREGATORS) console.log(`${a.padEnd(9)} question AUC ${byAggregator[a]!.auc} (${byAggregator[a]!.pairs} pairs), ECE ${byAggregator[a]!.ece}`);
console.log(`wrote ${join(out)}`);
console.log(`prm select: ${best[0]} ${pct(best[1])}%, lever+weighted ${rules['lever+weighted']!.ex}%, vote ${rules.vote!.ex}%, greedy ${pct(greedy)}%, pass@${summary.candidates} ${pct(passAtN)}% (${n} questions, ${prmDir})`);
