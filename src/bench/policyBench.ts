/** Decoding speed of the embedded policy on one backend: prefill ms, decode tokens/s, ms per CoCTE step. */
import type * as Ort from 'onnxruntime-web';
import { answerSettings, ConstraintBuilder, decodeOptions, type AnswerSettings, type GenerationConfig, type SyntaxCheck } from '../core/answerConfig';
import { tokenTexts } from '../core/constrain';
import { decode, prefill, type CausalLM } from '../core/decode';
import { search } from '../core/search';
import type { QueryOutcome, SchemaInfo } from '../core/types';
import { loadTokenizer } from '../core/tokenizer';
import type { ModelFiles } from '../workers/modelProtocol';
import { OrtCausalLM, OrtStepScorer, type CacheOutputs } from '../workers/ortCausalLM';

export interface PolicyBench {
  backend: string;
  loadMs: number;
  promptTokens: number;
  prefillMs: number;
  newTokens: number;
  /** Decode speed of the first 96 tokens after load (WASM code may still be tiering up), then warm. */
  coldTokensPerSecond: number;
  tokensPerSecond: number;
  msPerStep: number | null;
  /** Whole questions (prompt, every step written and executed, final query), greedy as the studio decodes it. */
  questions?: { n: number; medianMs: number; maxMs: number; meanTokens: number; settings: AnswerSettings; perQuestion: QuestionTiming[] };
  /** Greedy decode speed with the prefix checker and with the name, literal and number rules only, and their ratio. */
  syntaxSpeed?: { checker: SyntaxSpeed; off: SyntaxSpeed; checkerVsOff: number };
  /** Whole questions with best-of-8 as the studio decodes it (the greedy chain and 7 sampled, PRM-scored). */
  bestOf8?: { n: number; medianMs: number; maxMs: number; meanTokens: number; meanPrmMs: number; settings: AnswerSettings; perQuestion: QuestionTiming[] };
}

/** One question's wall time, tokens written, and (best-of-8) the time spent decoding and in the PRM. */
export interface QuestionTiming {
  ms: number;
  tokens: number;
  decodeMs?: number;
  prmMs?: number;
  /** Time inside the policy's `forward` (ONNX Runtime's `run` and the cache around it), and its calls. */
  forwardMs?: number;
  forwards?: number;
}

/** A database to answer questions on, for the whole-question timing. */
export interface QuestionBench {
  schema: SchemaInfo;
  run: (sql: string) => Promise<QueryOutcome>;
  questions: string[];
}

const PROMPT =
  '# singer(Singer_ID int PK = 1 | 2, Name text = Joe Sharp | Timbaland, Country text = Netherlands | United States, Age int = 52 | 32)\n' +
  '# concert(concert_ID int PK = 1 | 2, concert_Name text = Auditions | Super bootcamp, Stadium_ID text = 1 | 2, Year text = 2014 | 2015)\n' +
  '# singer_in_concert(concert_ID int PK = 1 | 2, Singer_ID text PK = 2 | 3)\n' +
  '# singer_in_concert.Singer_ID -> singer.Singer_ID\n-- What are the names of singers older than the average age, ordered by age?\n';

/** The policy's tokenizer and decoder from its files. */
async function loadPolicy(ort: typeof Ort, files: ModelFiles, read: (url: string) => Promise<Uint8Array>, backend: string, cache: CacheOutputs = 'step') {
  const json = async (u: string) => JSON.parse(new TextDecoder().decode(await read(u)));
  const tok = loadTokenizer(await json(files.tokenizer), await json(files.tokenizerConfig));
  return { tok, lm: await OrtCausalLM.create(ort, await read(files.onnx), await json(files.config), [backend], {}, cache) };
}

export async function benchPolicy(
  ort: typeof Ort,
  files: ModelFiles,
  read: (url: string) => Promise<Uint8Array>,
  backend: string,
  qb?: QuestionBench,
  prmFiles?: ModelFiles,
): Promise<PolicyBench> {
  const json = async (u: string) => JSON.parse(new TextDecoder().decode(await read(u)));
  const t0 = performance.now();
  const { tok, lm } = await loadPolicy(ort, files, read, backend);
  const loadMs = performance.now() - t0;
  const cold = await decode(lm, tok, PROMPT, { maxNewTokens: 96 }); // the first use, then warm
  let steps = 0;
  const r = await decode(lm, tok, PROMPT, { maxNewTokens: 96, onStep: () => void steps++ });
  const total = r.prefillMs + r.decodeMs;
  let questions: PolicyBench['questions'];
  let bestOf8: PolicyBench['bestOf8'];
  let syntaxSpeed: PolicyBench['syntaxSpeed'];
  if (qb) {
    // The studio's settings (answerConfig.ts) for greedy and best-of-8.
    const generation: GenerationConfig | null = files.generationConfig ? await json(files.generationConfig).catch(() => null) : null;
    const texts = tokenTexts(tok.decode, lm.vocabSize);
    const greedySettings = answerSettings('greedy', generation);
    const gated = new ConstraintBuilder(texts, greedySettings);
    const { meanPrmMs: _noPrm, ...greedy } = await timeQuestions(qb.questions, async (q) => {
      const r = await search(lm, tok, qb.schema, q, qb.run, decodeOptions(greedySettings, gated.forQuestion(qb.schema, q)));
      return { tokens: r.tokens, prmMs: 0 };
    });
    questions = { ...greedy, settings: greedySettings };
    syntaxSpeed = await compareSyntax(qb, texts, generation, async (settings, builder, q) => search(lm, tok, qb.schema, q, qb.run, decodeOptions(settings, builder.forQuestion(qb.schema, q))));
    if (prmFiles) {
      const prm = {
        model: await OrtStepScorer.create(ort, await read(prmFiles.onnx), await json(prmFiles.config), [backend]),
        tok: loadTokenizer(await json(prmFiles.tokenizer), await json(prmFiles.tokenizerConfig)),
      };
      const timed = timedForward(lm);
      const bonSettings = answerSettings('bon', generation, { n: 8 });
      const names = new ConstraintBuilder(texts, bonSettings);
      const bon = await timeQuestions(qb.questions, async (q) => {
        timed.reset();
        const r = await search(timed.lm, tok, qb.schema, q, qb.run, { ...decodeOptions(bonSettings, names.forQuestion(qb.schema, q)), prm });
        return { ...r, forwardMs: timed.ms, forwards: timed.calls };
      });
      bestOf8 = { ...bon, settings: bonSettings };
    }
  }
  return {
    backend,
    loadMs: round(loadMs),
    promptTokens: r.promptTokens,
    prefillMs: round(r.prefillMs),
    newTokens: r.tokenIds.length,
    coldTokensPerSecond: round(cold.tokenIds.length / (cold.decodeMs / 1000)),
    tokensPerSecond: round(r.tokenIds.length / (r.decodeMs / 1000)),
    msPerStep: steps > 0 ? round(total / (steps + 1)) : null,
    ...(questions ? { questions } : {}),
    ...(bestOf8 ? { bestOf8 } : {}),
    ...(syntaxSpeed ? { syntaxSpeed } : {}),
  };
}

/** Greedy decode speed over the bench questions under one syntax check (answerConfig.ts `syntax`). */
export interface SyntaxSpeed {
  tokens: number;
  decodeMs: number;
  tokensPerSecond: number;
  msPerQuestion: number;
}

/**
 * The same greedy questions decoded with and without the prefix checker, side by side in one run (each variant twice,
 * in opposite orders, so warm-up and machine load fall on both alike).
 */
async function compareSyntax(
  qb: QuestionBench,
  texts: string[],
  generation: GenerationConfig | null,
  run: (settings: AnswerSettings, builder: ConstraintBuilder, q: string) => Promise<{ tokens: number; decodeMs: number }>,
): Promise<NonNullable<PolicyBench['syntaxSpeed']>> {
  const variants: SyntaxCheck[] = ['checker', 'off'];
  const acc = new Map(variants.map((v) => [v, { tokens: 0, decodeMs: 0, ms: 0, n: 0 }]));
  for (const order of [variants, [...variants].reverse()])
    for (const v of order) {
      const settings = answerSettings('greedy', generation, { syntax: v });
      const builder = new ConstraintBuilder(texts, settings);
      const a = acc.get(v)!;
      for (const q of qb.questions) {
        const t = performance.now();
        const r = await run(settings, builder, q);
        a.ms += performance.now() - t;
        a.tokens += r.tokens;
        a.decodeMs += r.decodeMs;
        a.n++;
      }
    }
  const speed = (v: SyntaxCheck): SyntaxSpeed => {
    const a = acc.get(v)!;
    return { tokens: a.tokens, decodeMs: round(a.decodeMs), tokensPerSecond: round(a.tokens / (a.decodeMs / 1000)), msPerQuestion: round(a.ms / a.n) };
  };
  const [checker, off] = variants.map(speed) as [SyntaxSpeed, SyntaxSpeed];
  return { checker, off, checkerVsOff: round2(checker.tokensPerSecond / off.tokensPerSecond) };
}


/** One decode round: tokens/s, and how much of each token's time was spent inside ONNX Runtime's `run`. */
export interface DecodeRound {
  tokensPerSecond: number;
  /** Mean time per generated token inside the model's `forward` (`session.run` and the cache around it) ... */
  runMsPerToken: number;
  /** ... and outside it (softmax, argmax, the tokenizer, and any time the event loop takes to resume after `run`). */
  otherMsPerToken: number;
}

/**
 * `rounds` successive 96-token decodes of the same prompt on WASM (the first includes warm-up), with the time inside
 * the model's `forward` (ONNX Runtime's `run` and the cache kept around it) separated from the rest, so that a slow
 * browser can be told apart from a slow model run. `cache: 'full'` fetches the whole `present.*` cache every token
 * (as for a model file without `present_step.*` outputs) instead of the new tokens' keys and values.
 */
export async function decodeSpeedRounds(ort: typeof Ort, files: ModelFiles, read: (url: string) => Promise<Uint8Array>, rounds: number, cache: CacheOutputs = 'step', schemaRepeat = 1): Promise<DecodeRound[]> {
  const { tok, lm } = await loadPolicy(ort, files, read, 'wasm', cache);
  const prompt = longPrompt(schemaRepeat);
  const timed = timedForward(lm);
  const out: DecodeRound[] = [];
  for (let i = 0; i < rounds; i++) {
    const pre = await prefill(lm, tok, prompt);
    timed.reset();
    const r = await decode(timed.lm, tok, prompt, { maxNewTokens: 96, prefilled: pre });
    lm.release(pre.past);
    const n = r.tokenIds.length;
    out.push({ tokensPerSecond: round(n / (r.decodeMs / 1000)), runMsPerToken: round2(timed.ms / n), otherMsPerToken: round2((r.decodeMs - timed.ms) / n) });
  }
  return out;
}

/** The policy with the time spent in its `forward` and its calls counted (`reset` between questions or rounds). */
function timedForward(lm: CausalLM) {
  const t = {
    ms: 0,
    calls: 0,
    reset: () => Object.assign(t, { ms: 0, calls: 0 }),
    lm: {
      vocabSize: lm.vocabSize,
      promptFormat: lm.promptFormat,
      forward: async (ids: number[], past: unknown | null) => {
        const t0 = performance.now();
        const out = await lm.forward(ids, past);
        t.ms += performance.now() - t0;
        t.calls++;
        return out;
      },
      release: (past: unknown) => lm.release?.(past),
    } as CausalLM,
  };
  return t;
}

/** The bench prompt with its schema lines written `repeat` times: the same decode at a longer context. */
function longPrompt(repeat: number): string {
  const q = PROMPT.lastIndexOf('-- ');
  return PROMPT.slice(0, q).repeat(Math.max(1, repeat)) + PROMPT.slice(q);
}

function round2(x: number): number {
  return Number(x.toFixed(2));
}

/** Answers every question once; median and max wall time, mean tokens and PRM time per question, and each question's timing in order. */
async function timeQuestions(questions: string[], run: (q: string) => Promise<{ tokens: number; prmMs: number; decodeMs?: number; forwardMs?: number; forwards?: number }>) {
  const perQuestion: QuestionTiming[] = [];
  for (const q of questions) {
    const t = performance.now();
    const r = await run(q);
    perQuestion.push({
      ms: round(performance.now() - t),
      tokens: r.tokens,
      ...(r.decodeMs !== undefined ? { decodeMs: round(r.decodeMs), prmMs: round(r.prmMs) } : {}),
      ...(r.forwardMs !== undefined ? { forwardMs: round(r.forwardMs), forwards: r.forwards } : {}),
    });
  }
  const times = perQuestion.map((p) => p.ms).sort((x, y) => x - y);
  const n = times.length;
  const sum = (f: (p: QuestionTiming) => number) => perQuestion.reduce((a, p) => a + f(p), 0);
  return { n, medianMs: times[Math.floor(n / 2)]!, maxMs: times.at(-1)!, meanTokens: round(sum((p) => p.tokens) / n), meanPrmMs: round(sum((p) => p.prmMs ?? 0) / n), perQuestion };
}

function round(x: number): number {
  return Number(x.toFixed(1));
}

/** Questions on the bundled concert_singer sample used for the whole-question timing (Node and browser alike). */
export const BENCH_QUESTIONS = [
  'How many singers do we have?',
  'What are the names of singers older than the average age?',
  'Show the stadium name and the number of concerts in each stadium.',
  'List the names of singers who performed in a concert in 2014.',
  'What is the average, minimum and maximum age of all singers from France?',
];
