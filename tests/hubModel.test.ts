import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultDtype, dtypeOptions, folderProblem, hubProblem, neededFiles, parseListing, resolveUrl, validModelId } from '../src/core/hubModel';
import { buildPrompt } from '../src/core/prompt';
import { broughtPromptFormat, chatPromptFormat, COCTE_INSTRUCTIONS, completionPromptFormat, WORKED_EXAMPLE } from '../src/core/promptTemplates';
import { decideByProbe, isRuntimeFailure, planBackend, plainRuntimeError, threadsFor } from '../src/workers/backendChoice';
import { halfToFloat, wasmThreads } from '../src/workers/ortCausalLM';

/** A Hub tree listing shaped like onnx-community/Qwen2.5-Coder-0.5B-Instruct's (sizes rounded). */
const LISTING = [
  { type: 'directory', path: 'onnx' },
  { type: 'file', path: 'config.json', size: 700 },
  { type: 'file', path: 'generation_config.json', size: 200 },
  { type: 'file', path: 'tokenizer.json', size: 7_000_000 },
  { type: 'file', path: 'tokenizer_config.json', size: 7_000 },
  { type: 'file', path: 'onnx/model.onnx', size: 300_000, lfs: { size: 300_000 } },
  { type: 'file', path: 'onnx/model.onnx_data', size: 134, lfs: { size: 1_980_000_000 } },
  { type: 'file', path: 'onnx/model_q4.onnx', size: 134, lfs: { size: 786_000_000 } },
  { type: 'file', path: 'onnx/model_q4f16.onnx', size: 134, lfs: { size: 483_000_000 } },
  { type: 'file', path: 'onnx/model_quantized.onnx', size: 134, lfs: { size: 497_000_000 } },
];

describe('Hub listings (core/hubModel.ts)', () => {
  const files = parseListing(LISTING);
  it('reads file sizes from the LFS pointer when there is one, and leaves directories out', () => {
    expect(files).toHaveLength(9);
    expect(files.find((f) => f.path === 'onnx/model_q4.onnx')?.size).toBe(786_000_000);
  });
  it('offers every dtype with its total bytes, smallest first, with external weights counted', () => {
    const opts = dtypeOptions(files);
    expect(opts.map((o) => o.dtype)).toEqual(['q4f16', 'q8', 'q4', 'fp32']);
    const fp32 = opts.find((o) => o.dtype === 'fp32')!;
    expect(fp32.data).toEqual(['onnx/model.onnx_data']);
    expect(fp32.bytes).toBe(7_007_900 + 300_000 + 1_980_000_000);
    expect(neededFiles(files, fp32).map((f) => f.path)).toEqual(['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model.onnx_data']);
  });
  it('picks q4f16 with shader-f16, q4 without', () => {
    const opts = dtypeOptions(files);
    expect(defaultDtype(opts, true)?.dtype).toBe('q4f16');
    expect(defaultDtype(opts, false)?.dtype).toBe('q4');
  });
  it('is empty for a repository that is not a transformers.js causal LM', () => {
    expect(dtypeOptions(files.filter((f) => f.path !== 'tokenizer.json'))).toEqual([]);
    expect(folderProblem(['config.json', 'tokenizer_config.json', 'onnx/model.onnx'])).toMatch(/tokenizer\.json is missing/);
    expect(folderProblem(['config.json', 'tokenizer.json', 'tokenizer_config.json'])).toMatch(/no onnx/);
    expect(folderProblem(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_q4.onnx'])).toBeNull();
  });
  it('says plainly what a refused request means', () => {
    expect(hubProblem(401, 'the file listing', 'meta-llama/x')).toMatch(/gated or private/);
    expect(hubProblem(404, 'onnx/model.onnx', 'a/b')).toMatch(/missing/);
    expect(validModelId('onnx-community/Qwen2.5-Coder-0.5B-Instruct')).toBe(true);
    expect(validModelId('../etc')).toBe(false);
    expect(resolveUrl('a/b', 'onnx/model q.onnx')).toBe('https://huggingface.co/a/b/resolve/main/onnx/model%20q.onnx');
  });
});

describe('prompts for brought models (core/promptTemplates.ts)', () => {
  const tinyConfig = JSON.parse(readFileSync('e2e/fixtures/hub/cocte/tiny-gqa-chat/tokenizer_config.json', 'utf8'));
  it('renders the chat template: instructions as the system message, the worked example, then the question, with the reply open', () => {
    const format = chatPromptFormat(tinyConfig);
    const p = buildPrompt('How many singers?', '# singer: Name* text = Joe', format);
    expect(p.startsWith(`<|im_start|>system\n${COCTE_INSTRUCTIONS}<|im_end|>\n`)).toBe(true);
    expect(p).toContain(`<|im_start|>assistant\n${WORKED_EXAMPLE.chain}<|im_end|>`);
    expect(p.endsWith('Schema:\n# singer: Name* text = Joe\n\nQuestion: How many singers?<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
  });
  it('puts the instructions in the first user message when the template refuses a system role', () => {
    const strict = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";
    const p = buildPrompt('Q?', 'S', chatPromptFormat({ chat_template: strict }));
    expect(p.startsWith(`<user>${COCTE_INSTRUCTIONS}`)).toBe(true);
    expect(p.endsWith('<assistant>')).toBe(true);
  });
  it('gives a base model a completion prompt, and the embedded policy its own format', () => {
    const p = buildPrompt('Q?', '# t: a int', completionPromptFormat());
    expect(p).toContain('-- You translate questions');
    expect(p).toContain(`${WORKED_EXAMPLE.chain};\n`);
    expect(p.endsWith('-- Question: Q?\n')).toBe(true);
    expect(broughtPromptFormat(null, {}).kind).toBe('completion');
    expect(broughtPromptFormat(null, tinyConfig).kind).toBe('chat');
    const own = { order: 'question-first' as const, examplesPerColumn: 1 };
    expect(broughtPromptFormat(own, tinyConfig)).toEqual({ format: own, kind: 'cocte' });
  });
});

describe('backend choice (workers/backendChoice.ts)', () => {
  const base = { preference: 'auto' as const, adapter: true, fallbackAdapter: false, f16: true, modelBytes: 9e6, modelF16: false };
  it('probes a small model on a hardware adapter, and keeps WASM on a software one or without an adapter', () => {
    expect(planBackend(base)).toEqual({ probe: true });
    expect(planBackend({ ...base, fallbackAdapter: true })).toMatchObject({ backend: 'wasm' });
    expect(planBackend({ ...base, adapter: false })).toMatchObject({ backend: 'wasm' });
  });
  it('sends a large model to WebGPU, and an fp16 model to WASM when the adapter lacks shader-f16', () => {
    expect(planBackend({ ...base, modelBytes: 5e8 })).toMatchObject({ backend: 'webgpu' });
    expect(planBackend({ ...base, modelBytes: 5e8, modelF16: true, f16: false })).toMatchObject({ backend: 'wasm' });
    expect(planBackend({ ...base, preference: 'wasm' })).toMatchObject({ backend: 'wasm' });
  });
  it('takes the faster backend of a probe and says the numbers', () => {
    expect(decideByProbe(3.1, 40)).toMatchObject({ backend: 'wasm' });
    expect(decideByProbe(30, 4).reason).toMatch(/WASM 30\.0 ms\/token, WebGPU 4\.0 ms\/token/);
  });
  it('recognises ORT failures and words them for a user', () => {
    const ort = 'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: webgpu BufferManager::Download MapAsync was false';
    expect(isRuntimeFailure(ort)).toBe(true);
    expect(isRuntimeFailure('The model is not loaded yet.')).toBe(false);
    expect(plainRuntimeError(ort, 'webgpu', 'wasm')).toMatch(/^The GPU \(WebGPU\) failed while running the model\. The model now runs on the CPU \(WASM\): ask again\./);
    expect(plainRuntimeError('RuntimeError: memory access out of bounds', 'wasm', 'wasm')).toMatch(/ran out of memory.*The model was reloaded/);
  });
  it('allows every core for WASM only when the page is cross-origin isolated, and gives them to large models', () => {
    expect(wasmThreads(true, 8)).toBe(8);
    expect(wasmThreads(false, 8)).toBe(1);
    expect(threadsFor(9e6, 8).threads).toBe(1);
    expect(threadsFor(5e8, 8).threads).toBe(8);
    expect(threadsFor(5e8, 1).threads).toBe(1);
  });
  it('reads fp16 bits', () => {
    expect([0x3c00, 0xc000, 0x0000, 0x7bff, 0x0001].map(halfToFloat)).toEqual([1, -2, 0, 65504, 2 ** -24]);
  });
});
