/**
 * Process-supervised GRPO on CPU (issue 21; Reward-SQL §5): TypeScript samples and judges rollouts with the studio's
 * decoding, models/train/grpo.py updates the weights.
 *   npm run rl -- [--out scratch/rl] [--updates 24] [--batch 16] [--group 8] [--process-weight 0.5] [--lr 3e-5]
 *     [--kl 0.02] [--clip 0.2] [--minibatches 2] [--invented-share 0.25] [--temperature 1] [--jobs 2]
 *     [--threads 2] [--eval-every 10] [--eval-limit 120] [--model models/policy] [--prm models/prm] [--spider ../shared/data/spider]
 *   npm run rl -- --smoke      2 updates on 4 questions with the embedded models, in a temporary folder
 * Each update: `batch` training questions (rl/questions.ts); per question G chains sampled at `temperature` as the
 * studio samples best-of-N candidates, every step run; each chain's reward and the group-normalized advantages come
 * from src/core/rl/grpo.ts (outcome + λ · the PRM's entropy-weighted step score; λ = 0 is the outcome-only ablation);
 * groups whose rewards are all equal are dropped; grpo.py takes the clipped-ratio steps with the KL penalty and
 * exports the new weights, which the rollout processes load for the next update.
 * The run folder holds init.pt (the starting policy, dequantized from the model's int8 ONNX), checkpoints/last.pt,
 * policy/ (the current weights as an fp32 model folder), log.jsonl (one line per update and per held-out check) and
 * settings.json. Running the same command again resumes after the last finished update.
 * Every `eval-every` updates (and before the first and after the last) the policy answers `eval-limit` questions of
 * the held-out validation databases greedily; the log gives that EX.
 * The weights at each check are kept as checkpoints/update-<U>.pt. Export one as the studio's model with
 * models/train/export.py --ckpt <out>/checkpoints/update-<U>.pt --out <model folder>.
 * Last line: `GRPO: updates U reward R0 -> R1 kl K held-out EX E0% -> E1%` (`GRPO smoke: updates 2 reward … kl …`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chainReward, groupAdvantages, processReward, rlSettings, type RlSettings } from '../src/core/rl/grpo';
import { RlQuestions } from './lib/rl/questions';
import { RolloutPool } from './lib/rl/rolloutPool';
import type { TaskResult } from './lib/rl/protocol';
import { flags, sqlJs } from './lib/spider';

const PYTHON = '/usr/bin/python3';
const PY_ENV = { ...process.env, LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-openmp' };

const args = flags(process.argv.slice(2));
const smoke = args.has('smoke');
const num = (k: string) => (args.has(k) ? Number(args.get(k)) : undefined);
const settings: RlSettings = rlSettings({
  group: num('group'),
  batch: smoke ? 4 : num('batch'),
  temperature: num('temperature'),
  processWeight: num('process-weight'),
  lr: num('lr'),
  kl: num('kl'),
  clip: num('clip'),
  minibatches: num('minibatches'),
  inventedShare: smoke ? 0.25 : num('invented-share'),
});
const updates = smoke ? 2 : Number(args.get('updates') ?? 24);
const jobs = Number(args.get('jobs') ?? 2);
/** grpo.py's torch threads (2 on this machine's 2 cores; 1 when two runs share them). */
const threads = Number(args.get('threads') ?? 2);
const evalEvery = smoke ? 0 : Number(args.get('eval-every') ?? 10);
const evalLimit = Number(args.get('eval-limit') ?? 120);
const modelDir = args.get('model') ?? 'models/policy';
const prmDir = args.get('prm') ?? 'models/prm';
const spider = args.get('spider') ?? '../shared/data/spider';
const out = smoke ? mkdtempSync(join(tmpdir(), 'cocte-rl-smoke-')) : (args.get('out') ?? 'scratch/rl');
if (!existsSync(join(spider, 'train_spider.json'))) throw new Error(`${spider}/train_spider.json not found: rl trains on Spider's training questions (--spider DIR)`);

const policyDir = join(out, 'policy');
const logFile = join(out, 'log.jsonl');
const log = (o: object) => appendFileSync(logFile, JSON.stringify(o) + '\n');

/** The run folder: the starting checkpoint and a model folder that grpo.py's exports keep current. */
function setUp() {
  mkdirSync(join(policyDir, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) if (existsSync(join(modelDir, f))) copyFileSync(join(modelDir, f), join(policyDir, f));
  const init = join(out, 'init.pt');
  if (!existsSync(init)) {
    const r = spawnSyncChecked(PYTHON, ['models/train/onnx_to_checkpoint.py', join(modelDir, 'onnx', 'model_quantized.onnx'), join(modelDir, 'config.json'), init]);
    if (r) throw new Error(`onnx_to_checkpoint.py failed: ${r}`);
  }
  const saved = join(out, 'settings.json');
  if (existsSync(saved)) {
    const before = JSON.parse(readFileSync(saved, 'utf8')).settings as RlSettings;
    if (JSON.stringify(before) !== JSON.stringify(settings)) console.log(`note: resuming with other settings than the run started with: ${JSON.stringify(before)}`);
  } else writeFileSync(saved, JSON.stringify({ settings, model: modelDir, prm: settings.processWeight > 0 ? prmDir : null, started: new Date().toISOString() }, null, 2));
  return init;
}

function spawnSyncChecked(cmd: string, argv: string[]): string | null {
  const r = spawnSync(cmd, argv, { env: PY_ENV, encoding: 'utf8' });
  return r.status === 0 ? null : `${r.stderr || r.stdout}`.slice(-2000);
}

/** grpo.py as a long-running process: one JSON command per line in, one JSON reply per line out. */
class Updater {
  private replies: ((line: string) => void)[] = [];
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (line.startsWith('{')) this.replies.shift()?.(line);
    });
  }

  static async start(init: string): Promise<{ updater: Updater; done: number }> {
    const s = settings;
    const child = spawn(PYTHON, ['models/train/grpo.py', '--init', init, '--out', out, '--lr', String(s.lr), '--kl', String(s.kl), '--clip', String(s.clip), '--minibatches', String(s.minibatches), '--max-grad-norm', String(s.maxGradNorm), '--threads', String(threads)], { env: PY_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
    const u = new Updater(child);
    const ready = JSON.parse(await u.reply()) as { ready: boolean; update: number };
    return { updater: u, done: ready.update };
  }

  private reply(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`grpo.py exited with code ${code}`));
      this.child.once('exit', onExit);
      this.replies.push((line) => {
        this.child.off('exit', onExit);
        resolve(line);
      });
    });
  }

  async send(cmd: object): Promise<Record<string, number | string>> {
    const r = this.reply();
    this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    const o = JSON.parse(await r);
    if (o.error) throw new Error(`grpo.py: ${o.error}`);
    return o;
  }

  async quit() {
    await this.send({ quit: true });
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number, d = 4) => Number(x.toFixed(d));

/** Rewards, advantages and the batch file of one update's rollouts; the statistics for the log. */
function scoreRollouts(results: TaskResult[], batchFile: string) {
  const lines: string[] = [];
  const rewards: number[] = [];
  const outcomes = { correct: 0, wrong: 0, failed: 0 };
  const process: number[] = [];
  let groups = 0;
  let kept = 0;
  let skipped = 0;
  let anyCorrect = 0;
  for (const r of results) {
    if ('skipped' in r) {
      skipped++;
      continue;
    }
    groups++;
    const rs = r.chains.map((c) => chainReward(c, settings));
    const adv = groupAdvantages(rs);
    rewards.push(...rs);
    for (const c of r.chains) {
      outcomes[c.outcome]++;
      process.push(processReward(c, settings.agg));
    }
    if (r.chains.some((c) => c.outcome === 'correct')) anyCorrect++;
    if (adv.every((a) => a === 0)) continue;
    kept++;
    r.chains.forEach((c, i) => {
      if (c.ids.length) lines.push(JSON.stringify({ ids: [...r.promptIds, ...c.ids], start: r.promptIds.length, adv: round(adv[i]!, 6) }));
    });
  }
  writeFileSync(batchFile, lines.join('\n') + (lines.length ? '\n' : ''));
  const chains = outcomes.correct + outcomes.wrong + outcomes.failed;
  return {
    stats: { questions: groups, skipped, groupsKept: kept, chains, reward: round(mean(rewards)), correct: round(outcomes.correct / Math.max(1, chains)), failed: round(outcomes.failed / Math.max(1, chains)), passAtG: round(anyCorrect / Math.max(1, groups)), process: round(mean(process)) },
    rows: lines.length,
  };
}

async function heldOutEx(pool: RolloutPool, questions: RlQuestions, version: number): Promise<number> {
  const res = await pool.run({ type: 'greedy', tasks: questions.heldOut(evalLimit), policyDir, version, dtype: 'fp32' });
  const judged = res.filter((r) => !('skipped' in r)) as Extract<TaskResult, { chains: unknown }>[];
  return judged.filter((r) => r.chains[0]!.outcome === 'correct').length / Math.max(1, judged.length);
}

const t0 = performance.now();
mkdirSync(out, { recursive: true });
const init = setUp();
const { updater, done } = await Updater.start(init);
const pool = await RolloutPool.start(jobs);
const questions = new RlQuestions(await sqlJs(), spider, out);
mkdirSync(join(out, 'batches'), { recursive: true });
console.log(`GRPO ${smoke ? 'smoke ' : ''}in ${out}: ${questions.size} training questions, updates ${done} -> ${updates}, ${JSON.stringify(settings)}`);

try {
  if (evalEvery > 0 && done === 0) {
    const ex = await heldOutEx(pool, questions, 0);
    log({ update: 0, heldOutEx: round(ex), heldOutQuestions: evalLimit });
    console.log(`update 0: held-out greedy EX ${(100 * ex).toFixed(1)}%`);
  }
  for (let u = done; u < updates; u++) {
    const r0 = performance.now();
    const tasks = questions.batch(u, settings.batch, settings.inventedShare);
    const results = await pool.run({ type: 'rollouts', tasks, group: settings.group, temperature: settings.temperature, prmDir: settings.processWeight > 0 ? prmDir : null, policyDir, version: u, dtype: 'fp32' });
    const rolloutSeconds = (performance.now() - r0) / 1000;
    const batchFile = join(out, 'batches', `${String(u).padStart(5, '0')}.jsonl`);
    const errors = results.filter((r) => 'skipped' in r && r.skipped.startsWith('error:'));
    if (errors.length > tasks.length / 2) throw new Error(`update ${u + 1}: ${errors.length} of ${tasks.length} rollouts failed, e.g. ${(errors[0] as { skipped: string }).skipped}; rerun the same command to resume`);
    const { stats, rows } = scoreRollouts(results, batchFile);
    const upd = rows ? await updater.send({ batch: batchFile }) : { update: u + 1, skipped: 'no group with different rewards' };
    rmSync(batchFile, { force: true });
    const entry = { update: u + 1, ...stats, ...Object.fromEntries(Object.entries(upd).filter(([k]) => k !== 'update')), rolloutSeconds: round(rolloutSeconds, 1), time: new Date().toISOString() };
    log(entry);
    console.log(`update ${u + 1}/${updates}: reward ${stats.reward} correct ${(100 * stats.correct).toFixed(1)}% failed ${(100 * stats.failed).toFixed(1)}% groups kept ${stats.groupsKept}/${stats.questions} kl ${upd.kl ?? '-'} entropy ${upd.entropy ?? '-'} (${rolloutSeconds.toFixed(0)} s rollouts, ${upd.seconds ?? 0} s update)`);
    if (evalEvery > 0 && ((u + 1) % evalEvery === 0 || u + 1 === updates)) {
      const ex = await heldOutEx(pool, questions, u + 1);
      log({ update: u + 1, heldOutEx: round(ex), heldOutQuestions: evalLimit });
      // The weights at each check are kept, so the run's best on the held-out databases can be exported.
      copyFileSync(join(out, 'checkpoints', 'last.pt'), join(out, 'checkpoints', `update-${u + 1}.pt`));
      console.log(`update ${u + 1}: held-out greedy EX ${(100 * ex).toFixed(1)}%`);
    }
  }
} finally {
  pool.close();
  await updater.quit().catch(() => undefined);
}
const minutes = (performance.now() - t0) / 60000;
// The whole run's first and last figures, from its log (a resumed run's first sitting included).
const logged = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { update: number; reward?: number; kl?: number; heldOutEx?: number });
const rewards = logged.filter((e) => e.reward !== undefined);
const checks = logged.filter((e) => e.heldOutEx !== undefined);
const before = rewards[0]?.reward ?? NaN;
const after = rewards.at(-1)?.reward ?? NaN;
const lastKl = rewards.filter((e) => e.kl !== undefined).at(-1)?.kl ?? 0;
const evalBefore = checks.find((e) => e.update === 0)?.heldOutEx ?? null;
const evalAfter = checks.at(-1)?.heldOutEx ?? null;
if (smoke) {
  rmSync(out, { recursive: true, force: true });
  console.log(`(${minutes.toFixed(1)} min)`);
  console.log(`GRPO smoke: updates ${rewards.length} reward ${before.toFixed(3)} -> ${after.toFixed(3)} kl ${lastKl.toFixed(5)}`);
} else {
  const ex = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  console.log(`(${minutes.toFixed(1)} min this sitting; log ${logFile})`);
  console.log(`GRPO: updates ${rewards.at(-1)?.update ?? updates} reward ${before.toFixed(3)} -> ${after.toFixed(3)} kl ${lastKl.toFixed(5)} held-out EX ${ex(evalBefore)} -> ${ex(evalAfter)}`);
}
