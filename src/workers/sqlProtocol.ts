/** Typed messages between the page and the SQL engine worker. */
import type { QueryOutcome, SchemaInfo } from '../core/types';

export type SqlRequest =
  | { id: number; type: 'open'; bytes: Uint8Array }
  | { id: number; type: 'query'; sql: string; maxRows: number }
  | { id: number; type: 'schema' }
  | { id: number; type: 'close' };

export type SqlReplyBody =
  | { type: 'opened'; elapsedMs: number }
  | { type: 'query'; outcome: QueryOutcome }
  | { type: 'schema'; schema: SchemaInfo }
  | { type: 'closed' }
  | { type: 'error'; error: string };

export type SqlReply = SqlReplyBody & { id: number };

/** Maps a request type to the reply it gets on success. */
export interface SqlReplyFor {
  open: Extract<SqlReplyBody, { type: 'opened' }>;
  query: Extract<SqlReplyBody, { type: 'query' }>;
  schema: Extract<SqlReplyBody, { type: 'schema' }>;
  close: Extract<SqlReplyBody, { type: 'closed' }>;
}
