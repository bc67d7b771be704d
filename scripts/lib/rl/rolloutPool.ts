/**
 * The rollout processes of `npm run rl`: `jobs` forked rolloutWorker.ts processes (one ONNX Runtime thread each).
 * A request's tasks are dealt out round-robin and the results come back in task order.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, RlTask, TaskResult, ToWorker } from './protocol';

const WORKER = fileURLToPath(new URL('./rolloutWorker.ts', import.meta.url));

type Request = Exclude<ToWorker, { type: 'quit' }>;

export class RolloutPool {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(jobs: number): Promise<RolloutPool> {
    const children = Array.from({ length: Math.max(1, jobs) }, () => fork(WORKER, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map((c) => next(c).then((m) => { if (m.type !== 'ready') throw new Error('rollout process failed to start'); })));
    return new RolloutPool(children);
  }

  /** Runs `req` with its tasks split over the processes; the results in the order of `req.tasks`. */
  async run(req: Request): Promise<TaskResult[]> {
    const parts = this.children.map((_, k) => req.tasks.filter((_, i) => i % this.children.length === k));
    const replies = await Promise.all(
      this.children.map(async (c, k) => {
        if (parts[k]!.length === 0) return [];
        const reply = next(c);
        c.send({ ...req, tasks: parts[k]! } satisfies ToWorker);
        const m = await reply;
        if (m.type === 'error') throw new Error(`rollout process ${k + 1}: ${m.message}`);
        if (m.type !== 'results') throw new Error(`rollout process ${k + 1}: unexpected ${m.type}`);
        return m.results;
      }),
    );
    const byId = new Map(replies.flat().map((r) => [r.id, r]));
    return req.tasks.map((t: RlTask) => byId.get(t.id)!);
  }

  close(): void {
    for (const c of this.children) {
      c.send({ type: 'quit' } satisfies ToWorker);
      c.disconnect();
    }
  }
}

/** The next message from `c`, or a rejection when it exits first. */
function next(c: ChildProcess): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker) => {
      c.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => {
      c.off('message', onMessage);
      reject(new Error(`rollout process exited with code ${code}`));
    };
    c.once('message', onMessage);
    c.once('exit', onExit);
  });
}
