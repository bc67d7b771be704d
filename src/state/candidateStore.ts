/**
 * The candidates slice: the chains a search strategy wrote for the last question, which one the strategy chose and
 * why, which one the user is looking at, and the PRM's step scores of the chain now in the editor (the chosen or
 * selected candidate's own scores, or a re-score after an edit). Selecting a candidate puts its chain in the editor,
 * which re-runs it (step cards and result grid follow).
 */
import { create } from 'zustand';
import type { CandidateInfo } from '../core/candidateInfo';
import { parseCoCTE } from '../core/cocte';
import type { Strategy } from '../core/search';
import type { Choice } from '../core/selection';
import type { Aggregator } from '../core/stepWeights';
import { useStudio } from './store';

export interface EditorScores {
  /** The editor text these scores belong to. */
  sql: string;
  /** One PRM score per step, final query last. */
  scores: number[];
}

export interface CandidatesState {
  /** The question the candidates answer (the PRM prompt for re-scoring edits); null before the first answer. */
  question: string | null;
  strategy: Strategy | null;
  agg: Aggregator;
  /** How many candidates the running search will write (0 when none is running). */
  expected: number;
  list: CandidateInfo[];
  chosen: number | null;
  reason: string | null;
  selected: number | null;
  editorScores: EditorScores | null;
  start(question: string, strategy: Strategy, agg: Aggregator, expected: number): void;
  add(index: number, c: CandidateInfo): void;
  /** The search is over: keeps every candidate, marks the choice and shows it in the editor. */
  finish(list: CandidateInfo[], choice: Choice): void;
  /** The search failed or stopped with nothing: keeps what was written. */
  abandon(): void;
  select(index: number): void;
  setEditorScores(sql: string, scores: number[]): void;
  clear(): void;
}

const EMPTY = { question: null, strategy: null, expected: 0, list: [], chosen: null, reason: null, selected: null, editorScores: null };

export const useCandidates = create<CandidatesState>()((set, get) => ({
  ...EMPTY,
  agg: 'weighted',

  start(question, strategy, agg, expected) {
    set({ ...EMPTY, question, strategy, agg, expected });
  },

  add(index, c) {
    set((s) => {
      const list = s.list.slice();
      list[index] = c;
      return { list };
    });
  },

  finish(list, choice) {
    set({ list, chosen: choice.index, reason: choice.reason, expected: 0 });
    get().select(choice.index);
  },

  abandon() {
    set({ expected: 0 });
  },

  select(index) {
    const c = get().list[index];
    if (!c) return;
    // The candidate's own scores fit the editor when they cover every step of its chain.
    const fits = c.stepScores.length > 0 && c.stepScores.length === parseCoCTE(c.sql).trajectory.steps.length + 1;
    set({ selected: index, editorScores: fits ? { sql: c.sql, scores: c.stepScores } : null });
    useStudio.getState().setSql(c.sql);
  },

  setEditorScores(sql, scores) {
    set({ editorScores: { sql, scores } });
  },

  clear() {
    set({ ...EMPTY });
  },
}));

/** The PRM score of step `index` of the editor's chain, when it is known for the text now in the editor. */
export function editorStepScore(s: CandidatesState, sql: string, index: number): number | null {
  return s.editorScores && s.editorScores.sql === sql ? (s.editorScores.scores[index] ?? null) : null;
}
