/**
 * The teaching slice: the exercise being practised, its reference steps and their runs on the exercise's database,
 * the assessment of the editor's chain against them, the hints and reference steps shown, and the progress on every
 * exercise (loaded from and saved to IndexedDB). `watchPractice` (practiceWatch.ts) feeds it the editor's step runs.
 */
import { create } from 'zustand';
import { exerciseOrdered, nextToReveal, referenceSteps, starterText, type Exercise, type ReferenceStep } from '../core/teaching/exercise';
import { findExercise } from '../core/teaching/exerciseSet';
import { assessChain, type Assessment, type RanStep } from '../core/teaching/practice';
import { stateAfterRun, type ProgressState } from '../core/teaching/progress';
import { teachingSettings } from '../core/teaching/settings';
import { engine } from './engine';
import { loadProgress, saveProgress } from './progressDb';
import { SAMPLES } from './samples';
import { useStudio } from './store';

export interface TeachingState {
  /** The exercise list (progress by level) is open. */
  listOpen: boolean;
  exercise: Exercise | null;
  /** The exercise's reference steps, the final query last. */
  reference: ReferenceStep[];
  /** Each reference step's run on the exercise's database; null while they run. */
  referenceRuns: RanStep[] | null;
  assessment: Assessment | null;
  /** The editor text `assessment` belongs to. */
  assessedSql: string | null;
  /** Reference steps whose note (hint) is shown. */
  hints: number[];
  /** Reference steps whose SQL is shown. */
  shownSteps: number[];
  /** Stored progress by exercise id (absent: unseen). */
  progress: Record<string, ProgressState>;
  /** Why progress could not be loaded or saved, if it could not. */
  storageError: string | null;
  openList(open: boolean): void;
  loadProgress(): Promise<void>;
  /** Opens an exercise: its sample database, an editor with the question, the reference steps run. */
  start(id: string): Promise<boolean>;
  leave(): void;
  showHint(): void;
  showStep(): void;
  /** Assesses the editor's chain (`sql`, its steps as they ran) and records progress. */
  assess(sql: string, learner: RanStep[]): void;
}

export const useTeaching = create<TeachingState>()((set, get) => ({
  listOpen: false,
  exercise: null,
  reference: [],
  referenceRuns: null,
  assessment: null,
  assessedSql: null,
  hints: [],
  shownSteps: [],
  progress: {},
  storageError: null,

  openList(open) {
    set({ listOpen: open });
  },

  async loadProgress() {
    try {
      const stored = await loadProgress();
      set((s) => ({ progress: { ...stored, ...s.progress }, storageError: null }));
    } catch (e) {
      set({ storageError: `Progress could not be loaded: ${e instanceof Error ? e.message : String(e)}` });
    }
  },

  async start(id) {
    const ex = findExercise(id);
    if (!ex) {
      useStudio.setState({ error: `There is no exercise "${id}".` });
      return false;
    }
    const reference = referenceSteps(ex);
    set({ exercise: ex, reference, referenceRuns: null, assessment: null, assessedSql: null, hints: [], shownSteps: [], listOpen: false });
    setExerciseParam(ex.id);
    // The starter text goes in before the database opens (opening keeps the editor's text and runs it), so whatever
    // the learner types once the database is open is never replaced.
    useStudio.getState().setSql(starterText(ex));
    const sample = SAMPLES.find((s) => s.id === ex.db)!;
    if (useStudio.getState().dbName !== sample.file && !(await useStudio.getState().openSample(ex.db, { keepSql: true }))) return false;
    if (get().exercise !== ex) return false;
    const runs: RanStep[] = [];
    for (const r of reference) runs.push({ sql: r.sql, outcome: await engine.query(r.prefixSql, teachingSettings().rowCap) });
    if (get().exercise !== ex) return false;
    set({ referenceRuns: runs });
    return true;
  },

  leave() {
    set({ exercise: null, reference: [], referenceRuns: null, assessment: null, assessedSql: null, hints: [], shownSteps: [] });
    setExerciseParam(null);
  },

  showHint() {
    const { reference, assessment, hints } = get();
    const k = nextToReveal(reference.length, assessment?.reached ?? 0, hints);
    if (k !== null) set({ hints: [...hints, k].sort((a, b) => a - b) });
  },

  showStep() {
    const { reference, assessment, shownSteps, hints } = get();
    const k = nextToReveal(reference.length, assessment?.reached ?? 0, shownSteps);
    if (k !== null) set({ shownSteps: [...shownSteps, k].sort((a, b) => a - b), hints: hints.includes(k) ? hints : [...hints, k].sort((a, b) => a - b) });
  },

  assess(sql, learner) {
    const { exercise: ex, referenceRuns, hints, shownSteps, progress } = get();
    if (!ex || !referenceRuns) return;
    const assessment = assessChain(learner, referenceRuns, exerciseOrdered(ex));
    const prev = progress[ex.id] ?? 'unseen';
    const next = stateAfterRun(prev, assessment.solved, hints.length > 0 || shownSteps.length > 0);
    set({ assessment, assessedSql: sql, progress: next === prev ? progress : { ...progress, [ex.id]: next } });
    if (next !== prev)
      saveProgress(ex.id, next).catch((e: unknown) => set({ storageError: `Progress could not be saved: ${e instanceof Error ? e.message : String(e)}` }));
  },
}));

/** Puts `?exercise=<id>` in the address (or takes it out), so the address is the exercise's link. */
function setExerciseParam(id: string | null): void {
  const url = new URL(location.href);
  if (id) url.searchParams.set('exercise', id);
  else url.searchParams.delete('exercise');
  history.replaceState(history.state, '', url);
}

/** The link that opens an exercise in this studio. */
export function exerciseLink(id: string): string {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set('exercise', id);
  return url.toString();
}
