/**
 * Search strategies over the policy's chains, shared by the studio and `npm run eval`:
 *  - greedy: one chain, argmax decoding, or with `tokenBeam` > 1 the most likely chain found by a token-level,
 *    execution-guided beam search (beamDecode.ts);
 *  - vote: N chains, the execution result most of them return wins (the baseline to beat);
 *  - bon: N chains, execution filter, then the highest PRM aggregate (min / mean / last / product / weighted);
 *    for vote and bon the first chain is the greedy one and the others are sampled (`greedyFirst`, default on), so
 *    the candidates always hold what greedy would answer;
 *  - beam: step-level search: every partial chain in the beam is extended by one step several times (sampling), each
 *    new step runs at once and the PRM scores it, and only the `beamWidth` best partial chains (by the aggregate of
 *    their step scores so far) are kept; finished chains compete with the best-of-N rule.
 * Every candidate decodes from the prompt's KV cache, computed once per question.
 */
import { beamDecode } from './beamDecode';
import { decode, DEFAULT_MAX_NEW_TOKENS, prefill, type CausalLM } from './decode';
import { assignEntropies, chainCheck, finalCheck, finishAnswer, policyPrompt, promptBudget, questionValues, replaySteps, stepRunner, type AnswerOptions, type PolicyAnswer, type PolicyStep } from './policy';
import { scoreChain, type StepScoreModel } from './prm';
import { bestOfN, leverVote, majorityVote, type Choice, type ScoredCandidate } from './selection';
import { aggregate, type Aggregator } from './stepWeights';
import type { TextTokenizer } from './tokenizer';
import type { QueryOutcome, SchemaInfo } from './types';

import type { Strategy } from './strategies';
export { STRATEGIES, type Strategy } from './strategies';

export interface Candidate {
  answer: PolicyAnswer;
  /** PRM score per step (final query last); empty when no PRM was used. */
  stepScores: number[];
  /** Mean policy token entropy per step. */
  stepEntropies: number[];
}

export interface SearchOptions extends Omit<AnswerOptions, 'seed' | 'prefilled' | 'onStep' | 'resume' | 'maxSteps'> {
  strategy: Strategy;
  /** Candidates (vote, bon) or the decode budget per beam level (beam: beamWidth × expansions). */
  n?: number;
  agg?: Aggregator;
  beamWidth?: number;
  /** Greedy only: token-level beam width (1 = argmax decoding). */
  tokenBeam?: number;
  /** Vote and bon: the first candidate is decoded greedily, the others sampled (default true; false: all sampled). */
  greedyFirst?: boolean;
  /**
   * Vote and bon with `greedyFirst`: a sampled candidate may write at most this many times the greedy chain's tokens
   * (never fewer than SAMPLE_MIN_TOKENS, never more than maxNewTokens); 0 turns the cap off. Default 2.
   */
  sampleTokenRatio?: number;
  /** Longest chain the beam search builds, in steps (the final query included). */
  maxDepth?: number;
  prm?: { model: StepScoreModel; tok: TextTokenizer };
  seed?: number;
  /** Reports each candidate when it is complete (scored when a PRM is used). */
  onCandidate?: (index: number, c: Candidate) => void;
  /** Reports each step of the greedy chain as it runs. */
  onStep?: (step: PolicyStep) => void;
}

export interface SearchResult {
  strategy: Strategy;
  candidates: Candidate[];
  choice: Choice;
  /** Decoded tokens over all candidates. */
  tokens: number;
  decodeMs: number;
  prmMs: number;
}

type RunQuery = (sql: string) => Promise<QueryOutcome>;

/**
 * The least a sampled candidate may write under the `sampleTokenRatio` cap. Sampled chains that ramble (a literal or
 * a join that never closes) are what make best-of-N slow, and they are almost never right: a Spider training chain is
 * 60 tokens at the median and 195 at the 99th percentile, so twice the greedy chain, at least 96 tokens, leaves the
 * sampled chains room to differ from greedy without letting one of them run to the token limit.
 */
export const SAMPLE_MIN_TOKENS = 96;
export const DEFAULT_SAMPLE_TOKEN_RATIO = 2;

/** The token limit of candidate `i` (0 is the greedy one when `greedyFirst`), given the greedy chain's length. */
export function candidateTokenLimit(i: number, opts: Pick<SearchOptions, 'maxNewTokens' | 'sampleTokenRatio' | 'greedyFirst'>, greedyTokens: number | null): number | undefined {
  const ratio = opts.sampleTokenRatio ?? DEFAULT_SAMPLE_TOKEN_RATIO;
  if (i === 0 || greedyTokens === null || ratio <= 0 || opts.greedyFirst === false) return opts.maxNewTokens;
  return Math.min(opts.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS, Math.max(SAMPLE_MIN_TOKENS, Math.ceil(ratio * greedyTokens)));
}

export async function search(lm: CausalLM, tok: TextTokenizer, schema: SchemaInfo, question: string, runQuery: RunQuery, opts: SearchOptions): Promise<SearchResult> {
  const needsPrm = opts.strategy === 'bon' || opts.strategy === 'beam';
  if (needsPrm && !opts.prm) throw new Error(`The ${opts.strategy} strategy needs a process reward model (none is loaded).`);
  const values = await questionValues(question, schema, runQuery, opts.linking);
  const prompt = policyPrompt(question, schema, lm.promptFormat, { budget: promptBudget(lm, tok), values, linking: opts.linking });
  // The PRM reads the question and schema in its own layout, which may differ from the policy's.
  const prmPrompt = opts.prm ? policyPrompt(question, schema, opts.prm.model.promptFormat, { values, linking: opts.linking }) : prompt;
  const pre = await prefill(lm, tok, prompt);
  const stats = { tokens: 0, decodeMs: 0, prmMs: 0 };
  const score = async (text: string, outcomes: QueryOutcome[]): Promise<number[]> => {
    if (!opts.prm) return [];
    const t0 = performance.now();
    const s = await scoreChain(opts.prm.model, opts.prm.tok, prmPrompt, text, outcomes);
    stats.prmMs += performance.now() - t0;
    return s;
  };
  try {
    let candidates: Candidate[];
    if (opts.strategy === 'beam') candidates = await beam(lm, tok, prompt, pre, runQuery, opts, score, stats);
    else {
      const n = opts.strategy === 'greedy' ? 1 : (opts.n ?? 8);
      candidates = [];
      for (let i = 0; i < n && !opts.signal?.aborted; i++) {
        const steps: PolicyStep[] = [];
        const onStep = stepRunner(runQuery, steps, { ...opts, onStep: opts.strategy === 'greedy' ? opts.onStep : undefined });
        const tokenBeam = opts.strategy === 'greedy' ? (opts.tokenBeam ?? 1) : 1;
        let d;
        if (tokenBeam > 1) {
          d = await beamDecode(lm, tok, prompt, { ...opts, width: tokenBeam, prefilled: pre, check: chainCheck(runQuery) });
          await replaySteps(d.text, onStep);
        } else {
          d = await decode(lm, tok, prompt, {
            ...opts,
            temperature: opts.strategy === 'greedy' || (i === 0 && opts.greedyFirst !== false) ? 0 : (opts.temperature ?? 1),
            seed: (opts.seed ?? 1) + i,
            maxNewTokens: candidateTokenLimit(i, opts, candidates[0]?.answer.decoded.tokenIds.length ?? null),
            prefilled: pre,
            onStep,
            ...finalCheck(runQuery, opts),
          });
        }
        stats.tokens += d.tokenIds.length;
        stats.decodeMs += d.decodeMs;
        const a = await finishAnswer(prompt, d, steps, runQuery, opts.strategy === 'greedy' ? opts.onStep : undefined);
        const c: Candidate = { answer: a, stepScores: opts.strategy !== 'greedy' && opts.prm ? await score(a.text, a.steps.map((s) => s.outcome)) : [], stepEntropies: a.steps.map((s) => s.meanEntropy) };
        candidates.push(c);
        opts.onCandidate?.(i, c);
      }
    }
    if (candidates.length === 0) throw new Error('Stopped before any candidate was complete.');
    return { strategy: opts.strategy, candidates, choice: choose(opts.strategy, candidates, opts.agg ?? 'weighted'), ...stats };
  } finally {
    lm.release?.(pre.past);
  }
}

/** What selection needs of a candidate: its final outcome, step scores and step entropies. */
export function scoredOf(c: Candidate): ScoredCandidate {
  const logProb = c.answer.decoded.logProbs.reduce((a, b) => a + b, 0);
  return { outcome: c.answer.steps.at(-1)!.outcome, stepScores: c.stepScores, stepEntropies: c.stepEntropies, logProb };
}

/**
 * The chosen candidate. Best-of-N uses LEVER's rule (`leverVote`: per execution result, the sum of PRM aggregate times
 * the policy's probability), chosen on held-out databases over the PRM alone and the plain vote
 * (`eval/bon8-weighted-valdbs-run11.json`); beam search's finished chains are ranked by the PRM alone.
 */
export function choose(strategy: Strategy, candidates: Candidate[], agg: Aggregator): Choice {
  const scored = candidates.map(scoredOf);
  if (strategy === 'greedy') return { index: 0, value: 0, reason: 'the greedy chain' };
  if (strategy === 'vote') return majorityVote(scored);
  if (strategy === 'bon') return leverVote(scored, agg);
  return bestOfN(scored, agg);
}

interface Partial {
  tokenIds: number[];
  entropies: number[];
  tokenEnds: number[];
  text: string;
  steps: PolicyStep[];
  scores: number[];
  done?: Candidate;
}

async function beam(
  lm: CausalLM,
  tok: TextTokenizer,
  prompt: string,
  pre: Awaited<ReturnType<typeof prefill>>,
  runQuery: RunQuery,
  opts: SearchOptions,
  score: (text: string, outcomes: QueryOutcome[]) => Promise<number[]>,
  stats: { tokens: number; decodeMs: number },
): Promise<Candidate[]> {
  const width = opts.beamWidth ?? 2;
  const expand = Math.max(1, Math.round((opts.n ?? 8) / width));
  const maxDepth = opts.maxDepth ?? 8;
  const agg = opts.agg ?? 'weighted';
  const rank = (p: Partial) => aggregate(p.scores, agg, p.steps.map((s) => s.meanEntropy));
  let beams: Partial[] = [{ tokenIds: [], entropies: [], tokenEnds: [], text: '', steps: [], scores: [] }];
  let seed = opts.seed ?? 1;
  const finished: Candidate[] = [];
  for (let depth = 0; depth < maxDepth && beams.length && !opts.signal?.aborted; depth++) {
    const next: Partial[] = [];
    const seen = new Set<string>();
    for (const b of beams) {
      for (let e = 0; e < expand && !opts.signal?.aborted; e++) {
        const steps = [...b.steps];
        const d = await decode(lm, tok, prompt, {
          ...opts,
          // The first expansion of each beam is its greedy continuation; the others sample.
          temperature: e === 0 ? 0 : (opts.temperature ?? 1),
          seed: seed++,
          prefilled: pre,
          resume: b,
          maxSteps: b.steps.length + 1,
          onStep: stepRunner(runQuery, steps, opts),
        });
        stats.tokens += d.tokenIds.length - b.tokenIds.length;
        stats.decodeMs += d.decodeMs;
        if (seen.has(d.text)) continue;
        seen.add(d.text);
        if (d.stopped === 'step' && steps.length > b.steps.length && depth < maxDepth - 1) {
          assignEntropies(d, steps);
          const outcomes = steps.map((s) => s.outcome);
          next.push({ ...d, steps, scores: await score(d.text, outcomes) });
        } else {
          const a = await finishAnswer(prompt, d, steps, runQuery);
          const c: Candidate = { answer: a, stepScores: await score(a.text, a.steps.map((s) => s.outcome)), stepEntropies: a.steps.map((s) => s.meanEntropy) };
          next.push({ ...d, steps: a.steps, scores: c.stepScores, done: c });
        }
      }
    }
    next.sort((x, y) => rank(y) - rank(x));
    beams = [];
    for (const p of next) {
      if (p.done) {
        finished.push(p.done);
        opts.onCandidate?.(finished.length - 1, p.done);
      } else if (beams.length < width) beams.push(p);
    }
    // A finished chain that outranks every open beam ends the search.
    if (finished.length && beams.every((b) => rank(b) <= Math.max(...finished.map((c) => aggregate(c.stepScores, agg, c.stepEntropies))))) break;
  }
  return finished;
}
