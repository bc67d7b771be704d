/**
 * N candidate chains for one question: the prompt is prefilled once and every candidate decodes from its KV cache
 * (temperature sampling, one seed per candidate). Each candidate's steps run as they are written, as in `answer`.
 */
import { prefill, type CausalLM } from './decode';
import { answer, policyPrompt, type AnswerOptions, type PolicyAnswer } from './policy';
import type { TextTokenizer } from './tokenizer';
import type { QueryOutcome, SchemaInfo } from './types';

export interface SampleOptions extends Omit<AnswerOptions, 'seed' | 'prefilled' | 'onStep'> {
  n: number;
  /** Seed of the first candidate; candidate i uses seed + i. */
  seed?: number;
  onCandidate?: (index: number, a: PolicyAnswer) => void;
}

export async function sampleCandidates(
  lm: CausalLM,
  tok: TextTokenizer,
  schema: SchemaInfo,
  question: string,
  runQuery: (sql: string) => Promise<QueryOutcome>,
  opts: SampleOptions,
): Promise<PolicyAnswer[]> {
  const pre = await prefill(lm, tok, policyPrompt(question, schema));
  const out: PolicyAnswer[] = [];
  try {
    for (let i = 0; i < opts.n; i++) {
      if (opts.signal?.aborted) break;
      const a = await answer(lm, tok, schema, question, runQuery, {
        ...opts,
        temperature: opts.temperature ?? 1,
        seed: (opts.seed ?? 1) + i,
        prefilled: pre,
      });
      out.push(a);
      opts.onCandidate?.(i, a);
    }
  } finally {
    lm.release?.(pre.past);
  }
  return out;
}
