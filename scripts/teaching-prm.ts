/**
 * npm run teaching:prm: how often the PRM's per-step score ranks a step that matches the reference above a wrong one,
 * on the teaching exercise set (issue 26 item 4's measurement, before the PRM is used as a tutor).
 *
 * For every exercise and every reference step k, the step is corrupted (src/core/corrupt.ts: a wrong column, join
 * key, comparison, aggregate, literal, sort order or LIMIT; up to `--tries` random corruptions, seeded) until the
 * step matcher says the corrupted step matches no reference step. The PRM then scores both chains as the studio
 * does (the policy prompt with the question's value links, each step with its execution summary), and the pair
 * counts as ranked when the reference step's score at k is above the corrupted step's (a tie counts half). The
 * corrupted step keeps the reference's names (s1, s2, …), so this is a proxy for a learner's own wrong step.
 *
 *   npm run teaching:prm -- [--prm models/prm] [--tries 4] [--runtime node|web] [--out eval/teaching-prm.json]
 */
import { writeFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import { printWithoutNotes, stepPrefixSql } from '../src/core/cocte';
import { corruptStep } from '../src/core/corrupt';
import { mulberry32 } from '../src/core/decode';
import { policyPrompt, questionValues } from '../src/core/policy';
import { scoreChain } from '../src/core/prm';
import { exerciseOrdered, referenceTrajectory } from '../src/core/teaching/exercise';
import { EXERCISES } from '../src/core/teaching/exerciseSet';
import { assessChain, type RanStep } from '../src/core/teaching/practice';
import { teachingSettings } from '../src/core/teaching/settings';
import type { Trajectory } from '../src/core/types';
import { SqlJsEngine } from '../src/workers/sqljsEngine';
import { loadNodePrm, nodeOrt, type NodeRuntime } from './lib/nodeOrt';
import { flags } from './lib/spider';
import { sampleEngines } from './lib/sampleEngines';

const args = flags(process.argv.slice(2));
const prmDir = args.get('prm') ?? 'models/prm';
const tries = Number(args.get('tries') ?? 4);
const outFile = args.get('out') ?? 'eval/teaching-prm.json';
const { rowCap } = teachingSettings();

const { ort, providers, label } = await nodeOrt((args.get('runtime') ?? 'node') as NodeRuntime);
const { model, tok } = await loadNodePrm(prmDir, ort, providers, { intraOpNumThreads: 1, interOpNumThreads: 1 });

const SQL = await initSqlJs();
const engines = sampleEngines(SQL);

const ranSteps = (t: Trajectory, engine: SqlJsEngine): RanStep[] =>
  [...t.steps.map((s) => s.sql), t.final.sql].map((sql, i) => ({ sql, outcome: engine.query(stepPrefixSql(t, i), rowCap) }));

interface Pair {
  id: string;
  level: number;
  step: number;
  change: string;
  kind: string;
  runs: boolean;
  matching: number;
  wrong: number;
}
const pairs: Pair[] = [];
const started = Date.now();
for (const [n, ex] of EXERCISES.entries()) {
  const engine = engines.get(ex.db)!;
  const schema = engine.schema();
  const t = referenceTrajectory(ex);
  const ref = ranSteps(t, engine);
  const prompt = policyPrompt(ex.question, schema, model.promptFormat, { values: await questionValues(ex.question, schema, (sql) => engine.query(sql, 1000)) });
  const refScores = await scoreChain(model, tok, prompt, printWithoutNotes(t), ref.map((r) => r.outcome));
  const rand = mulberry32(n + 1);
  for (let k = 0; k <= t.steps.length; k++) {
    for (let attempt = 0; attempt < tries; attempt++) {
      const original = k < t.steps.length ? t.steps[k]!.sql : t.final.sql;
      const c = corruptStep(original, schema, rand);
      if (!c || c.sql === original) continue;
      const wrongT: Trajectory = k < t.steps.length ? { ...t, steps: t.steps.map((s, i) => (i === k ? { ...s, sql: c.sql } : s)) } : { ...t, final: { ...t.final, sql: c.sql } };
      const wrong = ranSteps(wrongT, engine).slice(0, k + 1);
      const verdict = assessChain(wrong, ref, exerciseOrdered(ex)).steps[k]!;
      // A wrong step: it matches no reference step (one over the row cap cannot be compared and is skipped).
      if (verdict.kind === 'match' || (verdict.kind === 'none' && wrong[k]!.outcome.ok)) continue;
      const wrongScores = await scoreChain(model, tok, prompt, printWithoutNotes(wrongT), wrong.map((r) => r.outcome));
      pairs.push({ id: ex.id, level: ex.level, step: k, change: c.change, kind: c.kind, runs: wrong[k]!.outcome.ok, matching: round(refScores[k]!), wrong: round(wrongScores[k]!) });
      break;
    }
  }
}

function round(x: number): number {
  return Number(x.toFixed(4));
}

function ranked(ps: Pair[]): { rate: number; ranked: number; pairs: number } {
  const won = ps.reduce((a, p) => a + (p.matching > p.wrong ? 1 : p.matching === p.wrong ? 0.5 : 0), 0);
  return { rate: ps.length ? Number(((100 * won) / ps.length).toFixed(1)) : 0, ranked: won, pairs: ps.length };
}

const all = ranked(pairs);
const running = ranked(pairs.filter((p) => p.runs));
const byLevel = Object.fromEntries([1, 2, 3, 4].map((l) => [l, ranked(pairs.filter((p) => p.level === l))]));
const byKind = Object.fromEntries([...new Set(pairs.map((p) => p.kind))].map((k) => [k, ranked(pairs.filter((p) => p.kind === k))]));
writeFileSync(
  outFile,
  JSON.stringify({ prm: prmDir, runtime: label, exercises: EXERCISES.length, tries, seconds: Math.round((Date.now() - started) / 1000), all, wrongStepRuns: running, byLevel, byKind, pairs }, null, 1) + '\n',
);
console.log(`by level: ${Object.entries(byLevel).map(([l, r]) => `${l}: ${r.rate}% (${r.pairs})`).join(', ')}; by corruption: ${Object.entries(byKind).map(([k, r]) => `${k} ${r.rate}% (${r.pairs})`).join(', ')}`);
console.log(`PRM ranks the matching step above the wrong one: ${all.rate}% (${all.ranked}/${all.pairs} pairs); wrong steps that run: ${running.rate}% (${running.ranked}/${running.pairs})`);
