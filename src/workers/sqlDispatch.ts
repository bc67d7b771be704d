/** Turns one request into one reply with a SqlJsEngine. Shared by the browser worker and the Node tests. */
import { readBlob } from './readBlob';
import { DatabaseOpenError, type SqlJsEngine } from './sqljsEngine';
import type { OpenPhase, SqlReply, SqlRequest } from './sqlProtocol';

/** Posts a request's progress (`open`: reading; `schema`: tables described). */
export type Progress = (phase: OpenPhase, done: number, total: number) => void;

/** Every request but `openFile`, which reads its file asynchronously (`dispatchSqlAsync`). */
export function dispatchSql(engine: SqlJsEngine, req: SqlRequest, progress?: Progress): SqlReply {
  const id = req.id;
  try {
    switch (req.type) {
      case 'open': {
        const t0 = performance.now();
        engine.open(req.bytes);
        return { id, type: 'opened', elapsedMs: performance.now() - t0 };
      }
      case 'query':
        return { id, type: 'query', outcome: engine.query(req.sql, req.maxRows) };
      case 'step':
        return { id, type: 'query', outcome: engine.queryStep(req.trajectory, req.index, req.maxRows) };
      case 'schema':
        return { id, type: 'schema', schema: engine.schema(progress && ((done, total) => progress('schema', done, total))) };
      case 'close':
        engine.close();
        return { id, type: 'closed' };
      case 'openFile':
        return { id, type: 'error', error: 'Opening a file reads it asynchronously: send it through dispatchSqlAsync.' };
    }
  } catch (e) {
    return { id, type: 'error', error: errorText(e) };
  }
}

/** Every request, `openFile` too (it reads the file in pieces, reporting progress, then opens the bytes). */
export async function dispatchSqlAsync(engine: SqlJsEngine, req: SqlRequest, progress?: Progress): Promise<SqlReply> {
  if (req.type !== 'openFile') return dispatchSql(engine, req, progress);
  try {
    const t0 = performance.now();
    const bytes = await readBlob(req.file, (done, total) => progress?.('read', done, total));
    engine.open(bytes);
    return { id: req.id, type: 'opened', elapsedMs: performance.now() - t0 };
  } catch (e) {
    return { id: req.id, type: 'error', error: errorText(e) };
  }
}

function errorText(e: unknown): string {
  return e instanceof DatabaseOpenError || e instanceof Error ? e.message : String(e);
}
