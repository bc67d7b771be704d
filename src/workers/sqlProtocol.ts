/** Typed messages between the page and the SQL engine worker. */
import type { QueryOutcome, SchemaInfo, Trajectory } from '../core/types';

export type SqlRequest =
  | { id: number; type: 'open'; bytes: Uint8Array }
  /** Opens a file the worker reads itself (no copy on the page), reporting `progress` while it reads. */
  | { id: number; type: 'openFile'; file: Blob }
  | { id: number; type: 'query'; sql: string; maxRows: number }
  /** Step `index` of a chain (`steps.length`: the final query), reusing the rows of the steps before it. */
  | { id: number; type: 'step'; trajectory: Trajectory; index: number; maxRows: number }
  | { id: number; type: 'schema' }
  | { id: number; type: 'close' };

/** What an open is doing: reading the file's bytes, or describing its tables (`done` of `total`). */
export type OpenPhase = 'read' | 'schema';

export type SqlReplyBody =
  | { type: 'opened'; elapsedMs: number }
  | { type: 'query'; outcome: QueryOutcome }
  | { type: 'schema'; schema: SchemaInfo }
  | { type: 'closed' }
  | { type: 'error'; error: string }
  /** Not a reply: the request is still running (any number of these come before its reply). */
  | { type: 'progress'; phase: OpenPhase; done: number; total: number };

export type SqlReply = SqlReplyBody & { id: number };

/** Maps a request type to the reply it gets on success. */
export interface SqlReplyFor {
  open: Extract<SqlReplyBody, { type: 'opened' }>;
  openFile: Extract<SqlReplyBody, { type: 'opened' }>;
  query: Extract<SqlReplyBody, { type: 'query' }>;
  step: Extract<SqlReplyBody, { type: 'query' }>;
  schema: Extract<SqlReplyBody, { type: 'schema' }>;
  close: Extract<SqlReplyBody, { type: 'closed' }>;
}
