/**
 * A rollout process of `npm run rl` (forked by scripts/lib/rl/rolloutPool.ts). It holds the PRM and the current
 * policy (onnxruntime-node, one thread) and answers the orchestrator's messages (protocol.ts):
 * - `rollouts`: for each task, G chains sampled as the studio samples best-of-N candidates (answerConfig.ts settings,
 *   constrained, every step run on the task's database), each judged as `eval` judges it and scored by the PRM;
 * - `greedy`: each task answered greedily as the studio answers it, and judged.
 * The policy is reloaded from `policyDir` when a message names a newer `version`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { answerSettings, ConstraintBuilder, decodeOptions, type AnswerSettings } from '../../../src/core/answerConfig';
import { blankResult, sameOutcome } from '../../../src/core/resultCompare';
import { search } from '../../../src/core/search';
import { ordersResult } from '../../../src/core/sqlAst';
import type { QueryOutcome } from '../../../src/core/types';
import { SqlEngineClient } from '../../../src/workers/sqlEngineClient';
import { loadNodePolicy, loadNodePrm, readGenerationConfig } from '../nodeOrt';
import { nodeSqlWorker } from '../nodeWorkerShim';
import type { ChainResult, RlTask, TaskResult, ToWorker, FromWorker } from './protocol';

type Policy = Awaited<ReturnType<typeof loadNodePolicy>>;

const QUERY_TIMEOUT_MS = 2000;
const QUESTION_TIMEOUT_MS = 60_000;

let policy: Policy | null = null;
let version = -1;
let prm: Awaited<ReturnType<typeof loadNodePrm>> | null = null;
const engine = new SqlEngineClient({ createWorker: nodeSqlWorker, queryTimeoutMs: QUERY_TIMEOUT_MS });
let openPath = '';

const send = (m: FromWorker) => process.send!(m);

async function ensurePolicy(dir: string, v: number, dtype: string) {
  if (policy && v === version) return;
  policy = await loadNodePolicy(dir, dtype, 'node', 1);
  version = v;
}

async function ensurePrm(dir: string) {
  if (prm) return prm;
  const { ort, providers, sessionOptions } = policy!;
  prm = await loadNodePrm(dir, ort, providers, sessionOptions);
  return prm;
}

const run = (sql: string) => engine.query(sql, 1e6);

/** Opens the task's database and runs its gold query; the reason when the task cannot be judged. */
async function prepare(t: RlTask): Promise<{ gold: QueryOutcome } | { skip: string }> {
  if (!existsSync(t.dbPath)) return { skip: 'database file missing' };
  if (openPath !== t.dbPath) {
    await engine.open(new Uint8Array(readFileSync(t.dbPath)));
    openPath = t.dbPath;
  }
  const gold = await run(t.gold);
  if (!gold.ok) return { skip: 'gold query does not execute' };
  if (blankResult(gold.result.rows)) return { skip: 'blank gold result' };
  return { gold };
}

/**
 * The task answered with settings `s` (G sampled chains, or the greedy one), each chain judged as `eval` judges it:
 * correct, wrong (it runs), failed (it does not run, or no chain was written). A task whose decoding throws is skipped
 * for training (`failedIsSkip`) and counts as failed for a held-out check.
 */
async function answerTask(t: RlTask, s: AnswerSettings, constraints: ConstraintBuilder, withPrm: boolean, failedIsSkip: boolean): Promise<TaskResult> {
  const p = await prepare(t);
  if ('skip' in p) return { id: t.id, skipped: p.skip };
  const { lm, tok } = policy!;
  const schema = await engine.schema();
  const res = await search(lm, tok, schema, t.question, run, {
    ...decodeOptions(s, constraints.forQuestion(schema, t.question, t.dbPath)),
    prm: withPrm ? prm! : undefined,
    seed: t.seed,
    signal: AbortSignal.timeout(QUESTION_TIMEOUT_MS),
  }).catch((e: Error) => e);
  if (res instanceof Error) {
    if (failedIsSkip) return { id: t.id, skipped: `decoding failed: ${res.message}` };
    return { id: t.id, promptIds: [], chains: [{ ids: [], outcome: 'failed', stepScores: [], stepEntropies: [], sql: '' }] };
  }
  const ordered = ordersResult(t.gold);
  const chains: ChainResult[] = res.candidates.map((c) => {
    const final = c.answer.steps.at(-1)!.outcome;
    const d = c.answer.decoded;
    return {
      ids: d.stopped === 'eos' ? [...d.tokenIds, tok.eosId] : d.tokenIds,
      outcome: sameOutcome(p.gold, final, ordered) ? 'correct' : final.ok && d.text.trim() ? 'wrong' : 'failed',
      stepScores: c.stepScores,
      stepEntropies: c.stepEntropies,
      sql: c.answer.sql,
    };
  });
  return { id: t.id, promptIds: tok.encode(res.candidates[0]!.answer.prompt), chains };
}

process.on('message', async (m: ToWorker) => {
  try {
    if (m.type === 'quit') {
      engine.dispose();
      process.exit(0);
    }
    await ensurePolicy(m.policyDir, m.version, m.dtype);
    const gen = readGenerationConfig(m.policyDir);
    const results: TaskResult[] = [];
    if (m.type === 'rollouts') {
      if (m.prmDir) await ensurePrm(m.prmDir);
      // Sampled as best-of-N samples its candidates, except that all G are sampled (no greedy first).
      const s = answerSettings('vote', gen, { n: m.group, temperature: m.temperature, greedyFirst: false });
      const constraints = new ConstraintBuilder(policy!.vocabTexts, s);
      for (const t of m.tasks) results.push(await answerTask(t, s, constraints, Boolean(m.prmDir), true).catch((e: Error) => ({ id: t.id, skipped: `error: ${e.message}` })));
    } else {
      const s = answerSettings('greedy', gen);
      const constraints = new ConstraintBuilder(policy!.vocabTexts, s);
      for (const t of m.tasks) results.push(await answerTask(t, s, constraints, false, false).catch((e: Error) => ({ id: t.id, skipped: `error: ${e.message}` })));
    }
    send({ type: 'results', results });
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
// The orchestrator gone (killed, crashed), nothing is left to answer.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
