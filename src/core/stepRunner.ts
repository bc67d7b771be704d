/**
 * Runs a CoCTE chain step by step: step k shows the rows of `WITH s1 … sk SELECT * FROM sk`, the final query those of
 * the whole chain. Results are cached by the exact SQL of each prefix, so after an edit only the changed step and the
 * steps after it run again. With a `RunStep` (the studio's engine) a step reads the rows the engine kept of the
 * steps before it instead of computing them again (core/stepReuse.ts); with a `RunQuery` alone each prefix runs
 * whole.
 */
import { stepPrefixSql } from './cocte';
import type { QueryOutcome, Trajectory } from './types';

export type RunQuery = (sql: string) => Promise<QueryOutcome>;
/** Runs step `index` of `t` with the result of its prefix query `sql`. */
export type RunStep = (t: Trajectory, index: number, sql: string) => Promise<QueryOutcome>;

export interface StepRun {
  /** 0-based step index; `steps.length` is the final query. */
  index: number;
  name: string;
  sql: string;
  outcome: QueryOutcome;
  /** True when the outcome came from the cache (nothing ran). */
  cached: boolean;
}

export class StepRunner {
  private cache = new Map<string, QueryOutcome>();

  private readonly runStepQuery: RunStep;

  constructor(run: RunQuery | { step: RunStep }, private readonly maxCache = 256) {
    this.runStepQuery = typeof run === 'function' ? (_t, _i, sql) => run(sql) : run.step;
  }

  /** Runs every step in order, calling `onStep` as each finishes. Stops early when `signal` aborts. */
  async runAll(t: Trajectory, onStep?: (r: StepRun) => void, signal?: AbortSignal): Promise<StepRun[]> {
    const out: StepRun[] = [];
    for (let index = 0; index <= t.steps.length; index++) {
      if (signal?.aborted) break;
      const r = await this.runStep(t, index);
      out.push(r);
      onStep?.(r);
    }
    return out;
  }

  async runStep(t: Trajectory, index: number): Promise<StepRun> {
    const sql = stepPrefixSql(t, index);
    const name = index < t.steps.length ? t.steps[index]!.name : 'final';
    const hit = this.cache.get(sql);
    if (hit) return { index, name, sql, outcome: hit, cached: true };
    const outcome = await this.runStepQuery(t, index, sql);
    if (outcome.ok || outcome.kind === 'sql') this.remember(sql, outcome);
    return { index, name, sql, outcome, cached: false };
  }

  clear(): void {
    this.cache.clear();
  }

  private remember(sql: string, outcome: QueryOutcome): void {
    if (this.cache.size >= this.maxCache) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sql, outcome);
  }
}
