/** The action registry's context (src/state/actions.ts) built from the stores, and its state snapshot. */
import type { ActionContext, ActionState } from '../state/actions';
import { useCandidates } from '../state/candidateStore';
import { useModel } from '../state/modelStore';
import { useStudio } from '../state/store';
import { currentTheme, useUi } from '../state/uiStore';

export const SCHEMA_SEARCH_ID = 'schema-search';

/** The snapshot `enabled` reads, from the stores' current state. */
export function actionState(): ActionState {
  const s = useStudio.getState();
  const c = useCandidates.getState();
  const final = s.runs.length ? s.runs[s.runs.length - 1] : null;
  const candidates = c.strategy && c.strategy !== 'greedy' ? c.list.flatMap((x, i) => (x ? [i] : [])) : [];
  return {
    dbOpen: s.dbName !== null,
    hasSql: s.sql.trim() !== '',
    hasResult: !!final?.outcome.ok,
    asking: useModel.getState().askingId !== null,
    candidates,
    currentCandidate: c.selected ?? c.chosen,
    theme: currentTheme(useUi.getState()),
  };
}

export function actionContext(): ActionContext {
  return {
    state: actionState(),
    run: () => void useStudio.getState().run(),
    ask: () => {
      // The question box holds its own text: submit its form when there is a question, else put the cursor there.
      const input = document.querySelector<HTMLInputElement>('.question-box input[aria-label="Question"]');
      if (!input) return;
      if (input.value.trim()) input.form?.requestSubmit();
      else input.focus();
    },
    decompose: () => useStudio.getState().decompose(),
    exportResult: (format) => {
      const s = useStudio.getState();
      if (s.runs.length) void s.exportStep(s.runs.length - 1, format);
    },
    selectCandidate: (i) => useCandidates.getState().select(i),
    focusSchemaSearch: () => {
      const el = document.getElementById(SCHEMA_SEARCH_ID) as HTMLInputElement | null;
      el?.focus();
      el?.select();
    },
    setTheme: (t) => useUi.getState().setThemePref(t),
    openPalette: () => useUi.getState().setPaletteOpen(true),
  };
}

/** Runs action `a` when it is enabled now; returns whether it ran. */
export function performAction(a: { enabled(s: ActionState): boolean; perform(c: ActionContext): void }): boolean {
  const ctx = actionContext();
  if (!a.enabled(ctx.state)) return false;
  a.perform(ctx);
  return true;
}

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
