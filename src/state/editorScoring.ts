/**
 * Keeps the PRM step scores of the editor's chain current: after an answer, whenever the chain in the editor changes
 * (an edit, Decompose, another candidate without scores) and its step runs are complete, the chain is re-scored with
 * one PRM forward pass, debounced so typing does not queue passes. Also forgets the candidates when another database
 * is opened.
 */
import { printWithoutNotes } from '../core/cocte';
import { useCandidates } from './candidateStore';
import { useModel } from './modelStore';
import { useStudio } from './store';

const RESCORE_DEBOUNCE_MS = 300;

/** Starts watching; returns the function that stops. */
export function watchEditorChain(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight = false;
  let again = false;

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void rescore(), RESCORE_DEBOUNCE_MS);
  };

  async function rescore(): Promise<void> {
    const s = useStudio.getState();
    const { question, editorScores } = useCandidates.getState();
    const m = useModel.getState();
    if (!question || m.askingId !== null || m.prm !== 'ready' || !s.trajectory) return;
    if (s.running || s.runs.length !== s.trajectory.steps.length + 1 || s.runs.some((r) => !r)) return;
    if (editorScores?.sql === s.sql) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const sql = s.sql;
    try {
      const scores = await m.score(question, printWithoutNotes(s.trajectory), s.runs.map((r) => r!.outcome));
      // Only if the editor still holds the chain that was scored (and no new question started meanwhile).
      if (useStudio.getState().sql === sql && useCandidates.getState().question === question) useCandidates.getState().setEditorScores(sql, scores);
    } catch {
      // No scores for this text: the step cards simply show none.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  const stopStudio = useStudio.subscribe((s, prev) => {
    if (s.dbName !== prev.dbName) useCandidates.getState().clear();
    if (s.sql !== prev.sql || s.runs !== prev.runs || s.running !== prev.running) schedule();
  });
  const stopModel = useModel.subscribe((m, prev) => {
    if (m.prm !== prev.prm || m.askingId !== prev.askingId) schedule();
  });
  return () => {
    stopStudio();
    stopModel();
    if (timer) clearTimeout(timer);
  };
}
