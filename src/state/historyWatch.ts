/**
 * Feeds history and Recent: each database opened is noted in Recent (a local file is offered for keeping), and each
 * chain that finished running is kept for its database with its question, its origin and each step's row count, time
 * or error (never the rows). A database's opening re-runs the previous chain on it: that run is not kept.
 */
import { dbKey, summarizeRuns, type DbRef } from '../core/history/history';
import { parseCoCTE, stepPrefixSql } from '../core/cocte';
import { useCandidates } from './candidateStore';
import { useHistory } from './historyStore';
import { lastOpenedFile } from './openedFile';
import { useQuestionDraft } from './questionDraft';
import { useStudio } from './store';

/** Starts watching; returns the function that stops. */
export function watchHistory(): () => void {
  let sqlAtOpen: string | null = null;
  let recordedRuns: unknown = null;
  const stopCandidates = useCandidates.subscribe((c, prev) => {
    if (c.question !== prev.question && c.question !== null) useQuestionDraft.getState().setAsked(c.question);
  });
  const stopStudio = useStudio.subscribe((s, prev) => {
    if (s.dbSource && s.dbSource !== prev.dbSource) {
      sqlAtOpen = s.sql;
      useQuestionDraft.getState().setAsked(null);
      noteOpened(s.dbSource, s.dbName ?? '', s.dbBytes);
    }
    if (s.running || !s.dbSource || s.runs === recordedRuns || s.runs.length === 0 || s.sql === sqlAtOpen) return;
    const t = parseCoCTE(s.sql).trajectory;
    if (s.runs.length !== t.steps.length + 1 || s.runs.some((r, i) => !r || r.sql !== stepPrefixSql(t, i))) return;
    recordedRuns = s.runs;
    const names = [...t.steps.map((st) => st.name), 'final'];
    const steps = summarizeRuns(names, s.runs.map((r) => r!.outcome));
    const fromModel = useCandidates.getState().list.some((c) => c?.sql === s.sql);
    void useHistory.getState().record({
      dbKey: dbKey(s.dbSource),
      at: Date.now(),
      question: useQuestionDraft.getState().asked,
      sql: s.sql,
      origin: fromModel ? 'answer' : 'edit',
      steps,
      ok: steps.every((x) => x.error === null),
    });
  });
  return () => {
    stopCandidates();
    stopStudio();
  };
}

function noteOpened(ref: DbRef, name: string, bytes: number): void {
  void useHistory.getState().noteOpened({ key: dbKey(ref), ref, name, bytes, lastOpened: Date.now(), stored: null }, ref.kind === 'file' ? lastOpenedFile() : null);
}
