/** The page's single SQL engine (a worker behind SqlEngineClient) and the step runner on top of it. */
import { StepRunner } from '../core/stepRunner';
import { SqlEngineClient } from '../workers/sqlEngineClient';

/** Rows kept per step result (the grid shows the final step's; cards show the first few). */
export const ROW_CAP = 10_000;

export const engine = new SqlEngineClient({
  createWorker: () => new Worker(new URL('../workers/sqlEngine.worker.ts', import.meta.url), { type: 'module' }),
  queryTimeoutMs: Number(new URLSearchParams(location.search).get('timeoutMs') ?? 8000),
});

/** Steps run in the worker, each reading the rows the worker kept of the steps before it (core/stepReuse.ts). */
export const runner = new StepRunner({ step: (t, index) => engine.queryStep(t, index, ROW_CAP) });
