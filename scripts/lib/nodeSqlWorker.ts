/** The engine worker for Node (worker_threads): the same dispatcher the browser worker runs. */
import { parentPort } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import { dispatchSql } from '../../src/workers/sqlDispatch';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';
import type { SqlRequest } from '../../src/workers/sqlProtocol';

const engine = new SqlJsEngine(await initSqlJs());
parentPort!.on('message', (req: SqlRequest) => parentPort!.postMessage(dispatchSql(engine, req)));
parentPort!.postMessage({ id: 0, type: 'ready' });
