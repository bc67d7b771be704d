/**
 * The question box's text, and the question the editor's chain answers (the last one asked, or the one a history
 * entry or a share link brought back), in a store so that history and share links can read and restore them.
 */
import { create } from 'zustand';

export interface QuestionDraft {
  text: string;
  /** The question the chain in the editor answers; null when it answers none (a database was opened since). */
  asked: string | null;
  setText(text: string): void;
  setAsked(question: string | null): void;
}

export const useQuestionDraft = create<QuestionDraft>()((set) => ({
  text: '',
  asked: null,
  setText(text) {
    set({ text });
  },
  setAsked(question) {
    set({ asked: question });
  },
}));
