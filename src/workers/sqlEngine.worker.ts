/// <reference lib="webworker" />
/** SQL engine worker: a thin dispatcher around the sql.js adapter. */
import initSqlJs from 'sql.js';
import wasmUrl from 'sql.js/dist/sql-wasm.wasm?url';
import { dispatchSqlAsync } from './sqlDispatch';
import { SqlJsEngine } from './sqljsEngine';
import type { SqlReply, SqlRequest } from './sqlProtocol';

const ready = initSqlJs({ locateFile: () => wasmUrl }).then((SQL) => new SqlJsEngine(SQL));
const post = (r: SqlReply) => (self as DedicatedWorkerGlobalScope).postMessage(r);
/** Progress is posted at most this often (and always at the end of a phase). */
const PROGRESS_MS = 50;

self.onmessage = async (ev: MessageEvent<SqlRequest>) => {
  const engine = await ready;
  const id = ev.data.id;
  let last = 0;
  post(
    await dispatchSqlAsync(engine, ev.data, (phase, done, total) => {
      const t = performance.now();
      if (done < total && t - last < PROGRESS_MS) return;
      last = t;
      post({ id, type: 'progress', phase, done, total });
    }),
  );
};
