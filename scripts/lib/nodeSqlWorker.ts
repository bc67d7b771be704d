/** The engine worker for Node (worker_threads): the same dispatcher the browser worker runs. */
import { parentPort } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import { dispatchSqlAsync } from '../../src/workers/sqlDispatch';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';
import type { SqlRequest } from '../../src/workers/sqlProtocol';

const engine = new SqlJsEngine(await initSqlJs());
parentPort!.on('message', async (req: SqlRequest) =>
  parentPort!.postMessage(await dispatchSqlAsync(engine, req, (phase, done, total) => parentPort!.postMessage({ id: req.id, type: 'progress', phase, done, total }))),
);
parentPort!.postMessage({ id: 0, type: 'ready' });
