/// <reference lib="webworker" />
/** SQL engine worker: a thin dispatcher around the sql.js adapter. */
import initSqlJs from 'sql.js';
import wasmUrl from 'sql.js/dist/sql-wasm.wasm?url';
import { dispatchSql } from './sqlDispatch';
import { SqlJsEngine } from './sqljsEngine';
import type { SqlRequest } from './sqlProtocol';

const ready = initSqlJs({ locateFile: () => wasmUrl }).then((SQL) => new SqlJsEngine(SQL));

self.onmessage = async (ev: MessageEvent<SqlRequest>) => {
  const engine = await ready;
  (self as DedicatedWorkerGlobalScope).postMessage(dispatchSql(engine, ev.data));
};
