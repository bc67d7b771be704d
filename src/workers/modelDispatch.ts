/**
 * The model worker's dispatcher (model.worker.ts only wires it to `self`; tests run it in Node). It loads the policy,
 * from the embedded model's URLs or from the files of a brought model (Hub cache, local folder), and the process
 * reward model, chooses the backend (backendChoice.ts), and answers questions with a search strategy (greedy, vote,
 * best-of-N, beam) under the settings of core/answerConfig.ts. SQL runs on the page's SQL worker: each step is sent
 * back as a `runSql` request, so a greedy chain's rows appear while the next step is being written. The PRM also
 * re-scores chains edited by hand. The policy is ready before the PRM loads; when the PRM fails, greedy and vote
 * still work.
 *
 * Every ORT run of the worker (policy and PRM) goes through one queue: two sessions running at once on one WebGPU
 * device (a question decoding while the editor's chain is re-scored) broke buffer downloads (`OrtRun … MapAsync`) and
 * the WASM heap (`memory access out of bounds`). A run that still fails, or a lost GPU device, rebuilds the sessions
 * from the kept bytes (on WASM after a GPU failure) and the next question works without a page reload.
 */
import { answerSettings, buildConstraint, decodeOptions, type GenerationConfig } from '../core/answerConfig';
import { toCandidateInfo } from '../core/candidateInfo';
import { unsupportedOperator } from '../core/hubModel';
import { tokenTexts } from '../core/constrain';
import type { CausalLM } from '../core/decode';
import { policyPrompt, questionValues } from '../core/policy';
import { scoreChain, type StepScoreModel } from '../core/prm';
import { promptFormatOf } from '../core/prompt';
import { broughtPromptFormat } from '../core/promptTemplates';
import { search } from '../core/search';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import type { QueryOutcome } from '../core/types';
import { decideByProbe, isRuntimeFailure, planBackend, plainRuntimeError, threadsFor } from './backendChoice';
import { ModelFileError, startDownload, type Download } from './modelDownload';
import type { Backend, Diagnostics, ModelEvent, ModelFiles, ModelRequest, PolicySource } from './modelProtocol';
import { OrtCausalLM, OrtStepScorer, type DecoderConfig, type PrmConfig } from './ortCausalLM';
import type * as Ort from 'onnxruntime-web';

export interface DispatchEnv {
  loadOrt(backend: Backend, threads: number): Promise<typeof Ort>;
  /** The GPU adapter, null when there is none. */
  adapter(): Promise<GpuAdapterLike | null>;
  isolated: boolean;
}

export interface GpuAdapterLike {
  features: { has(f: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/** The policy's files in memory, whichever way they came (kept to rebuild the sessions after a failure). */
interface PolicyBytes {
  name: string;
  config: DecoderConfig & { cocte_prompt?: unknown };
  tokenizerConfig: Record<string, unknown>;
  onnxName: string;
  onnx: Uint8Array;
  data: { path: string; data: Uint8Array }[];
  bytes: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** One run at a time over every session of the worker. */
function runQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run);
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * Names the file when reading it fails (ORT alone says "Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to
 * load model because protobuf parsing failed."), and says so in plain words when the file is sound but uses an
 * operator ORT cannot run (`unsupportedOperator`). A file that is missing or not JSON already says so.
 */
async function damaged<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const detail = message(e).replace(/^Can't create a session\.\s*(ERROR_CODE: \d+, ERROR_MESSAGE: )?/, '');
    throw new ModelFileError(unsupportedOperator(file, detail) ?? `The model file ${file} is damaged (${detail}).`, { cause: e });
  }
}

/** A brought model's files as a `Download` (JSON parsed with the same messages as a download). */
function fromBytes(files: Record<string, Uint8Array>): Download {
  const bytes = async (path: string, file: string) => {
    const b = files[path];
    if (!b) throw new ModelFileError(`The model file ${file} is missing.`);
    return b;
  };
  return {
    bytes,
    async json<T>(path: string, file: string): Promise<T> {
      try {
        return JSON.parse(new TextDecoder().decode(await bytes(path, file))) as T;
      } catch (e) {
        if (e instanceof ModelFileError) throw e;
        throw new ModelFileError(`The model file ${file} is damaged: it is not valid JSON (${message(e)}).`);
      }
    },
  };
}

export function modelDispatcher(post: (e: ModelEvent) => void, env: DispatchEnv): (m: ModelRequest) => Promise<void> {
  const serial = runQueue();
  let ortModel: OrtCausalLM | null = null;
  let lm: CausalLM | null = null;
  let tok: TextTokenizer | null = null;
  let vocabTexts: string[] = [];
  let generation: GenerationConfig | null = null;
  let prm: { model: StepScoreModel; tok: TextTokenizer; scorer: OrtStepScorer; bytes: Uint8Array; config: PrmConfig } | null = null;
  let prmProblem = 'it is still loading.';
  let policy: PolicyBytes | null = null;
  let diagnostics: Diagnostics | null = null;
  let threads = 1;
  let nextQuery = 1;
  const pendingSql = new Map<number, (o: QueryOutcome) => void>();
  const aborts = new Map<number, AbortController>();
  let loading: Promise<void> | null = null;
  let prmLoading: Promise<void> | null = null;
  /** Set when the GPU device is lost: the next question rebuilds the sessions on WASM first. */
  let deviceLost: string | null = null;

  async function createPolicy(backend: Backend): Promise<OrtCausalLM> {
    const p = policy!;
    const ort = await env.loadOrt(backend, threads);
    const made = await damaged(p.onnxName, () => OrtCausalLM.create(ort, p.onnx, p.config, [backend], {}, 'step', p.data[0]));
    if (backend === 'webgpu') watchDevice(ort);
    return made;
  }

  function watchDevice(ort: typeof Ort): void {
    void Promise.resolve(ort.env.webgpu?.device)
      .then((d) => (d as unknown as { lost?: Promise<{ message?: string; reason?: string }> } | undefined)?.lost)
      .then((info) => {
        // 'destroyed': ORT released the device itself (its last session was disposed), nothing was lost.
        if (info && info.reason !== 'destroyed' && diagnostics?.backend === 'webgpu') deviceLost = `GPU device lost${info.message ? `: ${info.message}` : ''}`;
      })
      .catch(() => undefined);
  }

  /** The policy as the decoder sees it: every forward pass through the queue, the prompt format of its kind. */
  function usePolicy(made: OrtCausalLM): void {
    ortModel = made;
    const own = policy!.config.cocte_prompt ? promptFormatOf(policy!.config) : null;
    const { format } = broughtPromptFormat(own, policy!.tokenizerConfig);
    lm = {
      vocabSize: made.vocabSize,
      promptFormat: format,
      ...(made.contextLength ? { contextLength: made.contextLength } : {}),
      forward: (ids, past) => serial(() => made.forward(ids, past)),
      release: (past) => made.release(past),
    };
  }

  /** ms per generated token after a 24-token prefill (2 warm-up tokens, then 6 timed). */
  async function probe(made: OrtCausalLM): Promise<number> {
    let { past } = await made.forward(Array.from({ length: 24 }, (_, i) => 2 + i), null);
    let t0 = 0;
    for (let i = 0; i < 8; i++) {
      if (i === 2) t0 = performance.now();
      const next = await made.forward([3 + i], past);
      made.release(past);
      past = next.past;
    }
    made.release(past);
    return (performance.now() - t0) / 6;
  }

  async function readPolicy(source: PolicySource, dl: Download): Promise<PolicyBytes> {
    if (source.kind === 'urls') {
      const f = source.files;
      const config = await dl.json<PolicyBytes['config']>(f.config, 'policy config.json');
      generation = f.generationConfig ? await dl.json<GenerationConfig>(f.generationConfig, 'policy generation_config.json').catch(() => null) : null;
      const tokenizerConfig = await dl.json<Record<string, unknown>>(f.tokenizerConfig, 'policy tokenizer_config.json');
      tok = await damaged('policy tokenizer.json', async () => loadTokenizer(await dl.json(f.tokenizer, 'policy tokenizer.json'), tokenizerConfig));
      const onnx = await dl.bytes(f.onnx, 'policy model_quantized.onnx');
      return { name: 'embedded policy', config, tokenizerConfig, onnxName: 'policy model_quantized.onnx', onnx, data: [], bytes: onnx.byteLength };
    }
    const files = fromBytes(source.files);
    const config = await files.json<PolicyBytes['config']>('config.json', 'config.json');
    generation = source.files['generation_config.json'] ? await files.json<GenerationConfig>('generation_config.json', 'generation_config.json').catch(() => null) : null;
    const tokenizerConfig = await files.json<Record<string, unknown>>('tokenizer_config.json', 'tokenizer_config.json');
    tok = await damaged('tokenizer.json', async () => loadTokenizer(await files.json('tokenizer.json', 'tokenizer.json'), tokenizerConfig));
    const onnx = await files.bytes(source.onnx, source.onnx);
    const data = await Promise.all(source.data.map(async (p) => ({ path: p.split('/').pop()!, data: await files.bytes(p, p) })));
    const bytes = Object.values(source.files).reduce((a, b) => a + b.byteLength, 0);
    return { name: source.name, config, tokenizerConfig, onnxName: source.onnx, onnx, data, bytes };
  }

  async function load(m: Extract<ModelRequest, { type: 'load' }>): Promise<void> {
    const t0 = performance.now();
    const urls = m.policy.kind === 'urls' ? Object.values(m.policy.files) : [];
    const dl = await startDownload([...urls, ...Object.values(m.prmFiles ?? {})], (loaded, total, file) => post({ type: 'progress', loaded, total, file }));
    policy = await readPolicy(m.policy, dl);
    const threading = threadsFor(policy.bytes, m.threads);
    threads = threading.threads;
    const adapter = await env.adapter().catch(() => null);
    const f16 = !!adapter?.features.has('shader-f16');
    const modelF16 = /fp16|q4f16/.test(policy.onnxName);
    const plan = planBackend({ preference: m.backend, adapter: !!adapter, fallbackAdapter: !!adapter?.info?.isFallbackAdapter, f16, modelBytes: policy.bytes, modelF16 });
    let chosen: { backend: Backend; reason: string };
    let probed: Diagnostics['probe'];
    let made: OrtCausalLM;
    if ('probe' in plan) {
      const cpu = await createPolicy('wasm');
      const gpu = await createPolicy('webgpu').catch(() => null);
      if (!gpu) {
        made = cpu;
        chosen = { backend: 'wasm', reason: 'The WebGPU session could not be created, so the model runs on the CPU (WASM).' };
      } else {
        probed = { wasmMs: await probe(cpu), webgpuMs: await probe(gpu).catch(() => Infinity) };
        chosen = decideByProbe(probed.wasmMs, probed.webgpuMs);
        made = chosen.backend === 'webgpu' ? gpu : cpu;
        await (chosen.backend === 'webgpu' ? cpu : gpu).dispose().catch(() => undefined);
      }
    } else {
      chosen = plan;
      made = await createPolicy(plan.backend).catch(async (e) => {
        if (plan.backend !== 'webgpu' || e instanceof ModelFileError) throw e;
        chosen = { backend: 'wasm', reason: `The WebGPU session failed (${message(e).slice(0, 120)}), so the model runs on the CPU (WASM).` };
        return createPolicy('wasm');
      });
      if (chosen.backend === 'webgpu' && made.cacheType === 'float16' && !f16) {
        // An fp16 cache (the file's inputs say so) cannot run on a GPU without shader-f16.
        await made.dispose().catch(() => undefined);
        chosen = { backend: 'wasm', reason: 'The model keeps its cache in fp16 and this GPU adapter lacks shader-f16, so it runs on the CPU (WASM).' };
        made = await createPolicy('wasm');
      }
    }
    usePolicy(made);
    vocabTexts = tokenTexts(tok!.decode, made.vocabSize);
    const own = policy.config.cocte_prompt ? promptFormatOf(policy.config) : null;
    diagnostics = {
      model: policy.name,
      adapter: adapter ? { vendor: adapter.info?.vendor ?? '', architecture: adapter.info?.architecture ?? '', description: adapter.info?.description ?? '', fallback: !!adapter.info?.isFallbackAdapter } : null,
      f16,
      backend: chosen.backend,
      reason: chosen.reason,
      threads,
      threadsWhy: threading.why,
      isolated: env.isolated,
      ...(probed ? { probe: probed } : {}),
      modelBytes: policy.bytes,
      prompt: broughtPromptFormat(own, policy.tokenizerConfig).kind,
      cacheType: made.cacheType,
    };
    post({ type: 'ready', backend: chosen.backend, loadMs: performance.now() - t0, diagnostics });
    if (!m.prmFiles) {
      prmProblem = 'none is configured.';
      post({ type: 'prmError', error: 'No process reward model is configured.' });
    } else
      prmLoading = loadPrm(dl, m.prmFiles, chosen.backend).catch((e) => {
        prmProblem = `it failed to load (${message(e)}).`;
        post({ type: 'prmError', error: `The process reward model failed to load: ${message(e)}` });
      });
  }

  async function createPrm(bytes: Uint8Array, config: PrmConfig, backend: Backend): Promise<OrtStepScorer> {
    return damaged('PRM model_quantized.onnx', async () => OrtStepScorer.create(await env.loadOrt(backend, threads), bytes, config, [backend]));
  }

  async function loadPrm(dl: Download, files: ModelFiles, backend: Backend): Promise<void> {
    const t0 = performance.now();
    const config = await dl.json<PrmConfig>(files.config, 'PRM config.json');
    const prmTok = await damaged('PRM tokenizer.json', async () => loadTokenizer(await dl.json(files.tokenizer, 'PRM tokenizer.json'), await dl.json(files.tokenizerConfig, 'PRM tokenizer_config.json')));
    const bytes = await dl.bytes(files.onnx, 'PRM model_quantized.onnx');
    const scorer = await createPrm(bytes, config, backend).catch((e) => (backend === 'webgpu' && !(e instanceof ModelFileError) ? createPrm(bytes, config, 'wasm') : Promise.reject(e)));
    prm = { model: queued(scorer), tok: prmTok, scorer, bytes, config };
    post({ type: 'prmReady', loadMs: performance.now() - t0 });
  }

  function queued(model: StepScoreModel): StepScoreModel {
    return { maxLength: model.maxLength, withExecution: model.withExecution, ...(model.promptFormat ? { promptFormat: model.promptFormat } : {}), scores: (ids) => serial(() => model.scores(ids)) };
  }

  /** New sessions from the kept bytes (on `backend`), after a failed run or a lost device. */
  async function rebuild(backend: Backend, why: string): Promise<void> {
    await ortModel?.dispose().catch(() => undefined);
    usePolicy(await createPolicy(backend));
    if (prm) {
      await prm.scorer.dispose().catch(() => undefined);
      const scorer = await createPrm(prm.bytes, prm.config, backend);
      prm = { ...prm, scorer, model: queued(scorer) };
    }
    deviceLost = null;
    diagnostics = { ...diagnostics!, backend, reason: why, cacheType: ortModel!.cacheType };
    post({ type: 'recovered', diagnostics, why });
  }

  function runSql(sql: string): Promise<QueryOutcome> {
    const queryId = nextQuery++;
    return new Promise((resolve) => {
      pendingSql.set(queryId, resolve);
      post({ type: 'runSql', queryId, sql });
    });
  }

  async function ask(m: Extract<ModelRequest, { type: 'ask' }>): Promise<void> {
    // A question asked while the models load waits for them (the PRM too: its download and session creation would
    // otherwise compete with decoding).
    if (loading) await loading;
    if (prmLoading) await prmLoading;
    if (!lm || !tok) return post({ type: 'askError', id: m.id, error: 'The model is not loaded yet.' });
    if (deviceLost) await rebuild('wasm', `${deviceLost}; the model now runs on the CPU (WASM).`).catch(() => undefined);
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
      const text = deviceLost ?? message(e);
      if (!ctrl.signal.aborted && isRuntimeFailure(text) && diagnostics) {
        const was = diagnostics.backend;
        const rebuilt = await rebuild('wasm', `${was === 'webgpu' ? 'WebGPU failed while answering' : 'WASM failed while answering'}; the model runs on the CPU (WASM).`).then(
          () => true,
          () => false,
        );
        post({ type: 'askError', id: m.id, error: rebuilt ? plainRuntimeError(text, was, 'wasm') : `${plainRuntimeError(text, was, was)} Reloading it failed too.` });
      } else post({ type: 'askError', id: m.id, error: message(e) });
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

  return async (m: ModelRequest) => {
    if (m.type === 'ping') {
      post({ type: 'pong' });
    } else if (m.type === 'load') {
      loading = load(m).catch((e) => post({ type: 'loadError', error: message(e) }));
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
}
