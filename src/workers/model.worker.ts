/// <reference lib="webworker" />
/**
 * Model worker: loads the policy and the process reward model (config + tokenizer + ONNX each, and the policy's
 * generation config when there is one; one byte-progress total), picks WebGPU when the browser has an adapter (WASM
 * otherwise), and answers questions with a search strategy (greedy, vote, best-of-N, beam) under the settings of
 * core/answerConfig.ts. SQL runs on the page's SQL worker: each step is sent back as a `runSql` request, so
 * a greedy chain's rows appear while the next step is being written. The PRM also re-scores chains edited by hand.
 * The policy is ready before the PRM loads; when the PRM fails, greedy and vote still work.
 */
import { answerSettings, buildConstraint, decodeOptions, type GenerationConfig } from '../core/answerConfig';
import { toCandidateInfo } from '../core/candidateInfo';
import { tokenTexts } from '../core/constrain';
import { policyPrompt, questionValues } from '../core/policy';
import { scoreChain, type StepScoreModel } from '../core/prm';
import { search } from '../core/search';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import type { QueryOutcome } from '../core/types';
import { ModelFileError, startDownload, type Download } from './modelDownload';
import type { ModelEvent, ModelFiles, ModelRequest } from './modelProtocol';
import { loadOrtWeb, OrtCausalLM, OrtStepScorer, type DecoderConfig, type PrmConfig } from './ortCausalLM';

type Backend = 'webgpu' | 'wasm';

const post = (e: ModelEvent) => (self as DedicatedWorkerGlobalScope).postMessage(e);
let lm: OrtCausalLM | null = null;
let tok: TextTokenizer | null = null;
let vocabTexts: string[] = [];
/** The policy's generation_config.json (decoding defaults), null when it has none. */
let generation: GenerationConfig | null = null;
let prm: { model: StepScoreModel; tok: TextTokenizer } | null = null;
let prmProblem = 'it is still loading.';
let nextQuery = 1;
const pendingSql = new Map<number, (o: QueryOutcome) => void>();
const aborts = new Map<number, AbortController>();
let loading: Promise<void> | null = null;
let prmLoading: Promise<void> | null = null;

/** WebGPU when asked for and an adapter exists, WASM otherwise (also when the WebGPU session fails). */
async function onBackend<T>(preferred: Backend, create: (ort: Awaited<ReturnType<typeof loadOrtWeb>>, eps: string[]) => Promise<T>): Promise<{ value: T; backend: Backend }> {
  if (preferred === 'webgpu' && 'gpu' in navigator) {
    try {
      const adapter = await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter();
      if (adapter) return { value: await create(await loadOrtWeb('webgpu'), ['webgpu']), backend: 'webgpu' };
    } catch {
      // fall through to WASM
    }
  }
  return { value: await create(await loadOrtWeb('wasm'), ['wasm']), backend: 'wasm' };
}

async function load(files: ModelFiles, prmFiles: ModelFiles | undefined, preferWebGpu: boolean): Promise<void> {
  const t0 = performance.now();
  const dl = await startDownload([...Object.values(files), ...Object.values(prmFiles ?? {})], (loaded, total, file) => post({ type: 'progress', loaded, total, file }));
  const config = await dl.json<DecoderConfig>(files.config, 'policy config.json');
  generation = files.generationConfig ? await dl.json<GenerationConfig>(files.generationConfig, 'policy generation_config.json').catch(() => null) : null;
  tok = await damaged('policy tokenizer.json', async () => loadTokenizer(await dl.json(files.tokenizer, 'policy tokenizer.json'), await dl.json(files.tokenizerConfig, 'policy tokenizer_config.json')));
  const bytes = await dl.bytes(files.onnx, 'policy model_quantized.onnx');
  const made = await onBackend(preferWebGpu ? 'webgpu' : 'wasm', (ort, eps) => damaged('policy model_quantized.onnx', () => OrtCausalLM.create(ort, bytes, config, eps)));
  lm = made.value;
  vocabTexts = tokenTexts(tok.decode, lm.vocabSize);
  post({ type: 'ready', backend: made.backend, loadMs: performance.now() - t0 });
  if (!prmFiles) {
    prmProblem = 'none is configured.';
    post({ type: 'prmError', error: 'No process reward model is configured.' });
  } else
    prmLoading = loadPrm(dl, prmFiles, made.backend).catch((e) => {
      prmProblem = `it failed to load (${message(e)}).`;
      post({ type: 'prmError', error: `The process reward model failed to load: ${message(e)}` });
    });
}

async function loadPrm(dl: Download, files: ModelFiles, backend: Backend): Promise<void> {
  const t0 = performance.now();
  const config = await dl.json<PrmConfig>(files.config, 'PRM config.json');
  const prmTok = await damaged('PRM tokenizer.json', async () => loadTokenizer(await dl.json(files.tokenizer, 'PRM tokenizer.json'), await dl.json(files.tokenizerConfig, 'PRM tokenizer_config.json')));
  const bytes = await dl.bytes(files.onnx, 'PRM model_quantized.onnx');
  const { value } = await onBackend(backend, (ort, eps) => damaged('PRM model_quantized.onnx', () => OrtStepScorer.create(ort, bytes, config, eps)));
  prm = { model: oneAtATime(value), tok: prmTok };
  post({ type: 'prmReady', loadMs: performance.now() - t0 });
}

/**
 * Names the file when reading it fails (ORT alone says "Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to
 * load model because protobuf parsing failed."). A file that is missing or not JSON already says so.
 */
async function damaged<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const detail = message(e).replace(/^Can't create a session\.\s*(ERROR_CODE: \d+, ERROR_MESSAGE: )?/, '');
    throw new ModelFileError(`The model file ${file} is damaged (${detail}).`, { cause: e });
  }
}

/** The PRM session runs one forward pass at a time (search scoring and editor re-scoring may overlap). */
function oneAtATime(model: StepScoreModel): StepScoreModel {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    maxLength: model.maxLength,
    withExecution: model.withExecution,
    scores(ids) {
      const run = tail.then(() => model.scores(ids));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

function runSql(sql: string): Promise<QueryOutcome> {
  const queryId = nextQuery++;
  return new Promise((resolve) => {
    pendingSql.set(queryId, resolve);
    post({ type: 'runSql', queryId, sql });
  });
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function ask(m: Extract<ModelRequest, { type: 'ask' }>): Promise<void> {
  // A question asked while the models load waits for them (the PRM too: its download and session creation would
  // otherwise compete with decoding on this one thread).
  if (loading) await loading;
  if (prmLoading) await prmLoading;
  if (!lm || !tok) return post({ type: 'askError', id: m.id, error: 'The model is not loaded yet.' });
  if (m.strategy === 'bon' || m.strategy === 'beam') {
    if (!prm) return post({ type: 'askError', id: m.id, error: `${m.strategy === 'bon' ? 'Best-of-N' : 'Beam search'} needs the process reward model, but ${prmProblem} Greedy and Vote@N still work.` });
  }
  const ctrl = new AbortController();
  aborts.set(m.id, ctrl);
  const t0 = performance.now();
  let generated = 0;
  let tStart = 0;
  try {
    // Every setting not chosen on the page is answerConfig.ts's default (as in `npm run eval`).
    const settings = answerSettings(m.strategy, generation, { n: m.n, agg: m.agg, beamWidth: m.beamWidth, tokenBeam: m.tokenBeam, constrained: m.constrained });
    const constraint = buildConstraint(m.schema, vocabTexts, settings, m.question);
    const res = await search(lm, tok, m.schema, m.question, runSql, {
      ...decodeOptions(settings, constraint),
      signal: ctrl.signal,
      ...(prm ? { prm } : {}),
      // One call per generated token, over every candidate.
      onToken: (text) => {
        if (++generated === 1) tStart = performance.now();
        if (generated % 4 === 0) post({ type: 'tokens', id: m.id, text, tokens: generated, tokensPerSecond: generated / Math.max(1e-3, (performance.now() - tStart) / 1000) });
      },
      ...(m.strategy === 'greedy'
        ? { onStep: (step) => post({ type: 'step', id: m.id, step, text: '' }) }
        : { onCandidate: (index, c) => post({ type: 'candidate', id: m.id, index, candidate: toCandidateInfo(c) }) }),
    });
    const chosen = res.candidates[res.choice.index]!;
    post({
      type: 'done',
      id: m.id,
      strategy: m.strategy,
      sql: chosen.answer.sql,
      candidates: res.candidates.map((c) => toCandidateInfo(c)),
      choice: res.choice,
      tokens: res.tokens,
      tokensPerSecond: res.tokens / Math.max(1e-3, res.decodeMs / 1000),
      prmMs: res.prmMs,
      totalMs: performance.now() - t0,
      stopped: chosen.answer.decoded.stopped,
    });
  } catch (e) {
    post({ type: 'askError', id: m.id, error: message(e) });
  } finally {
    aborts.delete(m.id);
  }
}

async function score(m: Extract<ModelRequest, { type: 'score' }>): Promise<void> {
  if (loading) await loading;
  if (prmLoading) await prmLoading;
  if (!prm) return post({ type: 'scoreError', id: m.id, error: `No PRM scores: ${prmProblem}` });
  try {
    const values = await questionValues(m.question, m.schema, runSql);
    const scores = await scoreChain(prm.model, prm.tok, policyPrompt(m.question, m.schema, prm.model.promptFormat, { values }), m.text, m.outcomes);
    post({ type: 'scores', id: m.id, scores });
  } catch (e) {
    post({ type: 'scoreError', id: m.id, error: message(e) });
  }
}

self.onmessage = async (ev: MessageEvent<ModelRequest>) => {
  const m = ev.data;
  if (m.type === 'ping') {
    post({ type: 'pong' });
  } else if (m.type === 'load') {
    loading = load(m.files, m.prmFiles, m.preferWebGpu).catch((e) => post({ type: 'loadError', error: message(e) }));
    await loading;
  } else if (m.type === 'sqlResult') {
    pendingSql.get(m.queryId)?.(m.outcome);
    pendingSql.delete(m.queryId);
  } else if (m.type === 'stop') {
    aborts.get(m.id)?.abort();
  } else if (m.type === 'ask') {
    await ask(m);
  } else if (m.type === 'score') {
    await score(m);
  }
};
