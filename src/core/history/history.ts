/**
 * History and recent databases, pure: which database a chain belongs to, what is kept of a run (step names, row counts,
 * times and errors; never rows), when a new run replaces the last entry instead of adding one, and the search.
 */
import type { QueryOutcome } from '../types';

/** Where the open database came from: a bundled sample, a URL, or a local file (known by name and size only). */
export type DbRef = { kind: 'sample'; id: string } | { kind: 'url'; url: string } | { kind: 'file'; name: string; size: number };

/** The key history and Recent file a database under: the same sample, URL, or file name and size, is the same database. */
export function dbKey(ref: DbRef): string {
  if (ref.kind === 'sample') return `sample:${ref.id}`;
  if (ref.kind === 'url') return `url:${ref.url}`;
  return `file:${ref.name}:${ref.size}`;
}

export interface StepSummary {
  name: string;
  /** Rows the step returned; null when it failed. */
  rows: number | null;
  ms: number | null;
  error: string | null;
}

/** How the chain reached the editor: a model's answer, or anything else (typing, a sample's query, a restored entry). */
export type EntryOrigin = 'answer' | 'edit';

export interface HistoryEntry {
  /** IndexedDB's key, once stored. */
  id?: number;
  dbKey: string;
  at: number;
  /** The question the chain answers (asked of the model), when there is one. */
  question: string | null;
  /** The chain, as the editor held it. */
  sql: string;
  origin: EntryOrigin;
  steps: StepSummary[];
  ok: boolean;
}

export interface RecentDb {
  key: string;
  ref: DbRef;
  /** The name shown (the file's name, the sample's file). */
  name: string;
  bytes: number;
  lastOpened: number;
  /** The name of the copy kept in the browser's private file system (OPFS), when the user agreed to keep one. */
  stored: string | null;
}

export interface HistorySettings {
  /** The IndexedDB database of history and Recent. */
  dbName: string;
  /** Entries kept per database; the oldest go first. */
  maxPerDb: number;
  /** A run of the user's typing within this long after the last such entry replaces it (one entry per burst of edits). */
  editBurstMs: number;
  /** Entries with a chain longer than this are not kept. */
  maxSqlChars: number;
}

/** The one place for history settings (the history store, the watcher and the tests read them). */
export function historySettings(): HistorySettings {
  return { dbName: 'cocte-history', maxPerDb: 500, editBurstMs: 60_000, maxSqlChars: 200_000 };
}

/** What is kept of each step's run: its row count, time or error; the rows themselves never. */
export function summarizeRuns(names: string[], outcomes: QueryOutcome[]): StepSummary[] {
  return outcomes.map((o, i) => ({
    name: names[i] ?? `step ${i + 1}`,
    rows: o.ok ? o.result.totalRows : null,
    ms: o.ok ? Math.round(o.result.elapsedMs * 10) / 10 : null,
    error: o.ok ? null : o.error,
  }));
}

/**
 * Whether `next` is added to the history or replaces the last entry of its database: the same chain for the same
 * question replaces it (a re-run), and so does a run of the user's typing within `editBurstMs` of a previous
 * typing entry for the same question. A model's answer is never replaced by an edit, so it stays restorable.
 */
export function mergeDecision(last: HistoryEntry | undefined, next: HistoryEntry, s = historySettings()): 'add' | 'replace' | 'skip' {
  if (next.sql.length > s.maxSqlChars || next.sql.trim() === '') return 'skip';
  if (!last || last.dbKey !== next.dbKey) return 'add';
  if (last.sql === next.sql && last.question === next.question) return 'replace';
  if (last.origin === 'edit' && next.origin === 'edit' && last.question === next.question && next.at - last.at <= s.editBurstMs) return 'replace';
  return 'add';
}

/** Entries whose question or chain holds every word of `query` (any case), newest first. */
export function searchHistory(entries: HistoryEntry[], query: string): HistoryEntry[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = terms.length === 0 ? entries.slice() : entries.filter((e) => {
    const hay = `${e.question ?? ''}\n${e.sql}`.toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
  return hits.sort((a, b) => b.at - a.at);
}

/** The entry's one-line title: its question, or the chain's last line. */
export function entryTitle(e: HistoryEntry): string {
  return e.question ?? lastSqlLine(e.sql);
}

/** The chain's last line that is not a comment (its final query's end), to tell entries of one question apart. */
export function lastSqlLine(sql: string): string {
  const lines = sql.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('--'));
  return lines[lines.length - 1] ?? '';
}
