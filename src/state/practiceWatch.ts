/**
 * Feeds the teaching slice: whenever the editor's chain has finished running while an exercise is open, its steps
 * are assessed against the reference. Opening another database leaves the exercise.
 */
import { stepPrefixSql } from '../core/cocte';
import { SAMPLES } from './samples';
import { useStudio } from './store';
import { useTeaching } from './teachingStore';

/** Starts watching; returns the function that stops. */
export function watchPractice(): () => void {
  const check = () => {
    const t = useTeaching.getState();
    const s = useStudio.getState();
    const tr = s.trajectory;
    if (!t.exercise || !t.referenceRuns || !tr || s.running || t.assessedSql === s.sql || tr.final.sql.trim() === '') return;
    if (s.runs.length !== tr.steps.length + 1 || s.runs.some((r, i) => !r || r.sql !== stepPrefixSql(tr, i))) return;
    const learner = [...tr.steps.map((st) => st.sql), tr.final.sql].map((sql, i) => ({ sql, outcome: s.runs[i]!.outcome }));
    t.assess(s.sql, learner);
  };
  const stopStudio = useStudio.subscribe((s, prev) => {
    const ex = useTeaching.getState().exercise;
    if (ex && s.dbName !== prev.dbName && s.dbName !== null && s.dbName !== SAMPLES.find((x) => x.id === ex.db)?.file) useTeaching.getState().leave();
    if (s.runs !== prev.runs || s.running !== prev.running || s.sql !== prev.sql) check();
  });
  const stopTeaching = useTeaching.subscribe((t, prev) => {
    if (t.referenceRuns !== prev.referenceRuns) check();
  });
  return () => {
    stopStudio();
    stopTeaching();
  };
}
