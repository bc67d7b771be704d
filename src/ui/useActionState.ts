import { useCandidates } from '../state/candidateStore';
import { useModel } from '../state/modelStore';
import { useStudio } from '../state/store';
import { useUi } from '../state/uiStore';
import type { ActionState } from '../state/actions';
import { actionState } from './actionContext';

/** The action state snapshot, re-read whenever a store it comes from changes. */
export function useActionState(): ActionState {
  // Subscribing to the slices the snapshot reads re-renders the caller when they change.
  useStudio((s) => s.runs);
  useStudio((s) => s.dbName);
  useStudio((s) => s.sql.trim() === '');
  useModel((m) => m.askingId);
  useCandidates((c) => c.list);
  useCandidates((c) => c.selected);
  useUi((u) => u.themePref);
  useUi((u) => u.systemDark);
  return actionState();
}
