/** Turns one request into one reply with a SqlJsEngine. Shared by the browser worker and the Node tests. */
import { DatabaseOpenError, type SqlJsEngine } from './sqljsEngine';
import type { SqlReply, SqlRequest } from './sqlProtocol';

export function dispatchSql(engine: SqlJsEngine, req: SqlRequest): SqlReply {
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
      case 'schema':
        return { id, type: 'schema', schema: engine.schema() };
      case 'close':
        engine.close();
        return { id, type: 'closed' };
    }
  } catch (e) {
    const error = e instanceof DatabaseOpenError || e instanceof Error ? e.message : String(e);
    return { id, type: 'error', error };
  }
}
