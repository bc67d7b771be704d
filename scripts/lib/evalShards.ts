/**
 * `npm run eval -- … --jobs J` (and `npm run prm:samples -- … --jobs J`, which uses `spawnShards` and joins its own
 * files): the question set split over J processes (question i goes to process i mod J, each
 * with one ONNX Runtime thread), their reports merged into one. Decoding a question is mostly serial JavaScript
 * (the constraint) between short model calls, so J processes on J cores answer about J times as many questions per
 * minute; every question is decoded exactly as in a single process (same index, same seed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, percentile } from './stats';

/** Raw counts behind the summary's rates (rates alone would lose them to rounding when shards are merged). */
export interface Counts {
  executable: number;
  passAtN?: number;
  sameCandidates?: Record<string, number>;
  sameCandidatesNonBlank?: Record<string, number>;
}

interface Report {
  summary: Record<string, unknown> & { n: number; correct: number; ex: number; executable: number; tokens: number; decodeSeconds: number; seconds: number; counts: Counts };
  missing: string[];
  questions: { i: number; ms?: number }[];
}

/** Which questions this process answers: `--shard k/J` keeps those whose index is k modulo J. */
export function shardOf(arg: string | undefined): { k: number; of: number } | null {
  if (!arg) return null;
  const m = /^(\d+)\/(\d+)$/.exec(arg);
  if (!m || Number(m[1]) >= Number(m[2])) throw new Error(`--shard must be k/J with k < J, not "${arg}"`);
  return { k: Number(m[1]), of: Number(m[2]) };
}

/**
 * Runs this script again in `jobs` processes, process k with `argv`, `--shard k/jobs` and `--out outs[k]`; resolves
 * when all have exited cleanly. Their progress lines are echoed with a `[k/jobs]` prefix.
 */
export async function spawnShards(jobs: number, argv: string[], outs: string[]): Promise<void> {
  await Promise.all(
    outs.map(
      (out, k) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv, '--shard', `${k}/${jobs}`, '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
          child.stdout.on('data', (b: Buffer) => {
            for (const line of b.toString().split('\n')) if (line.trim() && !line.startsWith('{')) console.log(`[${k + 1}/${jobs}] ${line}`);
          });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`process ${k + 1}/${jobs} exited with code ${code}`))));
        }),
    ),
  );
}

/** `argv` without `--jobs` and `--out` and their values: what each shard process is given. */
export function withoutJobsAndOut(argv: string[]): string[] {
  const drop = ['--jobs', '--out'];
  return argv.filter((a, j) => !drop.includes(a) && !drop.includes(argv[j - 1]!));
}

/** Runs the eval script (`argv`: its arguments without --jobs and --out) in `jobs` processes; the merged report. */
export async function runShards(jobs: number, argv: string[]): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'cocte-eval-'));
  try {
    const outs = Array.from({ length: jobs }, (_, k) => join(dir, `shard${k}.json`));
    await spawnShards(jobs, argv, outs);
    return mergeReports(outs.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One report from shard reports: counts summed, rates recomputed over all questions, questions in index order. */
export function mergeReports(parts: Report[]): Report {
  const sum = (f: (s: Report['summary']) => number) => parts.reduce((a, p) => a + f(p.summary), 0);
  const n = sum((s) => s.n);
  // The raw counts each shard reports (`summary.counts`), summed; rates are recomputed from them.
  const count = (f: (c: Counts) => number | undefined) => sum((s) => f(s.counts) ?? 0);
  const base = parts[0]!.summary;
  const keys = Object.keys(base.counts.sameCandidates ?? {});
  const sumKeys = (f: (c: Counts) => Record<string, number> | undefined) => Object.fromEntries(keys.map((key) => [key, count((c) => f(c)?.[key])]));
  const counts: Counts = {
    executable: count((c) => c.executable),
    ...('passAtN' in base.counts ? { passAtN: count((c) => c.passAtN), sameCandidates: sumKeys((c) => c.sameCandidates), sameCandidatesNonBlank: sumKeys((c) => c.sameCandidatesNonBlank) } : {}),
  };
  const summary: Report['summary'] = {
    ...base,
    n,
    correct: sum((s) => s.correct),
    ex: n ? sum((s) => s.correct) / n : 0,
    executable: n ? counts.executable / n : 0,
    excludedMissingDb: sum((s) => Number(s.excludedMissingDb ?? 0)),
    blankGold: sum((s) => Number(s.blankGold ?? 0)),
    correctOnBlankGold: sum((s) => Number(s.correctOnBlankGold ?? 0)),
    resampledSteps: sum((s) => Number(s.resampledSteps ?? 0)),
    prmSeconds: Number(sum((s) => Number(s.prmSeconds ?? 0)).toFixed(1)),
    tokens: sum((s) => s.tokens),
    decodeSeconds: Number(sum((s) => s.decodeSeconds).toFixed(1)),
    decodeTokensPerSecond: Number((sum((s) => s.tokens) / Math.max(1e-9, sum((s) => s.decodeSeconds))).toFixed(1)),
    seconds: Math.max(...parts.map((p) => p.summary.seconds)),
    jobs: parts.length,
    counts,
  };
  const blank = summary.blankGold as number;
  summary.exNonBlank = n > blank ? (summary.correct - (summary.correctOnBlankGold as number)) / (n - blank) : 0;
  if ('passAtN' in counts) {
    summary.passAtN = n ? counts.passAtN! / n : 0;
    const rates = (byKey: Record<string, number>, of: number) => Object.fromEntries(keys.map((key) => [key, of > 0 ? Number((byKey[key]! / of).toFixed(4)) : 0]));
    summary.sameCandidates = rates(counts.sameCandidates!, n);
    summary.sameCandidatesNonBlank = rates(counts.sameCandidatesNonBlank!, n - blank);
  }
  summary.secondsPerQuestion = n ? Number((summary.seconds / n).toFixed(2)) : 0;
  const byIndex = (a: string, b: string) => parseInt(a, 10) - parseInt(b, 10);
  const questions = parts.flatMap((p) => p.questions).sort((a, b) => a.i - b.i);
  return { summary: { ...summary, questionMs: questionTimes(questions) }, missing: parts.flatMap((p) => p.missing).sort(byIndex), questions };
}

/** Wall time per question (search, every step run, PRM): median, 95th percentile and max, in ms. */
export function questionTimes(questions: { ms?: number }[]): { median: number; p95: number; max: number } | null {
  const ms = questions.flatMap((q) => (q.ms === undefined ? [] : [q.ms]));
  if (ms.length === 0) return null;
  return { median: median(ms), p95: percentile(ms, 95), max: Math.max(...ms) };
}
