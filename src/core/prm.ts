/**
 * Scoring a chain's steps with the process reward model. Model-agnostic: any `StepScoreModel` (the ONNX adapter in
 * the browser and in Node, or a test double) that maps token ids to one score in [0, 1] per position.
 *
 * The PRM reads the policy's prompt, then each step as the policy wrote it followed by its execution summary
 * (prmInput.ts); step j's score is the model's output at the last token of step j's segment. Segments are tokenized
 * one by one and concatenated, exactly as models/train/train_prm.py does; a prompt that does not fit is cut from
 * the left, keeping a question-first prompt's question line (`prmInputIds`).
 */
import type { PromptFormat } from './prompt';
import { prmSegments, stepChunks } from './prmInput';
import type { TextTokenizer } from './tokenizer';
import type { QueryOutcome } from './types';

export interface StepScoreModel {
  /** Longest sequence the model was trained on. */
  readonly maxLength: number;
  /** Whether the model was trained with execution summaries in its input (`prm_input` in its config). */
  readonly withExecution: boolean;
  /** How the question and schema are laid out in this model's input (from its config; `SCHEMA_FIRST` when absent). */
  readonly promptFormat?: PromptFormat;
  /** One score in [0, 1] per input position. */
  scores(ids: number[]): Promise<Float32Array>;
}

export interface PrmInput {
  ids: number[];
  /** Index in `ids` of the last token of each scored step. */
  positions: number[];
}

/**
 * Token ids and score positions; steps beyond what fits (at least 64 prompt tokens kept) are not scored. A prompt that
 * does not fit loses its start, except a question-first prompt's first line (`-- question`), which is kept in front of
 * what is left: cutting the question off left the PRM judging a long chain without knowing what it should answer.
 */
export function prmInputIds(tok: TextTokenizer, segments: string[], maxLength: number): PrmInput {
  const [promptText = '', ...stepTexts] = segments;
  let steps = stepTexts.map((s) => tok.encode(s));
  let used = steps.reduce((a, s) => a + s.length, 0);
  if (maxLength - used < 64) {
    const kept: number[][] = [];
    used = 0;
    for (const s of steps) {
      if (used + s.length > maxLength - 64) break;
      kept.push(s);
      used += s.length;
    }
    steps = kept;
  }
  const ids = fitPrompt(tok, promptText, maxLength - used);
  const positions: number[] = [];
  for (const s of steps) {
    ids.push(...s);
    positions.push(ids.length - 1);
  }
  return { ids, positions };
}

/** The prompt's tokens in at most `room`: its end, after the question line when the prompt starts with it. */
function fitPrompt(tok: TextTokenizer, promptText: string, room: number): number[] {
  const prompt = tok.encode(promptText);
  if (prompt.length <= room) return prompt;
  const lineEnd = promptText.indexOf('\n') + 1;
  const question = promptText.startsWith('-- ') && lineEnd > 0 ? tok.encode(promptText.slice(0, lineEnd)) : [];
  // The question line must leave room for some schema: one longer than half the room is cut like the rest.
  if (question.length === 0 || question.length > room / 2) return prompt.slice(prompt.length - room);
  const rest = tok.encode(promptText.slice(lineEnd));
  return [...question, ...rest.slice(Math.max(0, rest.length - (room - question.length)))];
}

/** Scores every step of a (possibly partial) chain: `text` is the policy's CoCTE text, `outcomes` one per step. */
export async function scoreChain(model: StepScoreModel, tok: TextTokenizer, prompt: string, text: string, outcomes: QueryOutcome[]): Promise<number[]> {
  const chunks = stepChunks(text).slice(0, outcomes.length);
  if (chunks.length === 0) return [];
  const { ids, positions } = prmInputIds(tok, prmSegments(prompt, chunks, outcomes, model.withExecution), model.maxLength);
  const scores = positions.length ? await model.scores(ids) : new Float32Array(0);
  const out = positions.map((p) => scores[p]!);
  // Steps that did not fit (very long chains) get the last score the model gave.
  while (out.length < outcomes.length) out.push(out.at(-1) ?? 0.5);
  return out;
}
