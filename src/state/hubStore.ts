/**
 * The model picker's state (issue 23): the Hub id typed or chosen, its file listing and dtypes, the download with
 * bytes per file (cancel, resume), the cached models, and a local folder. Choosing a model hands it to the model
 * slice (`useModel.useSource`), which loads it in the model worker; the embedded model is one click away.
 */
import { create } from 'zustand';
import { defaultDtype, dtypeOptions, folderProblem, hubProblem, listingUrl, neededFiles, parseListing, validModelId, type DtypeOption, type ModelFileEntry } from '../core/hubModel';
import type { PolicySource } from '../workers/modelProtocol';
import { deleteCached, downloadModel, listCached, readCached, type CachedModel } from './modelCache';
import { useModel, type BroughtModel } from './modelStore';

export interface HubState {
  open: boolean;
  id: string;
  listing: { id: string; files: ModelFileEntry[]; options: DtypeOption[] } | null;
  listingBusy: boolean;
  dtype: string | null;
  /** Bytes per file of the download in progress (or the last one). */
  progress: Record<string, { loaded: number; total: number }>;
  downloading: boolean;
  cached: CachedModel[];
  error: string | null;
  /** Whether the GPU adapter has shader-f16 (null: not known yet). */
  gpuF16: boolean | null;
  setOpen(open: boolean): void;
  setId(id: string): void;
  setDtype(dtype: string): void;
  list(): Promise<void>;
  download(): Promise<void>;
  cancel(): void;
  refreshCached(): Promise<void>;
  remove(id: string): Promise<void>;
  loadCached(id: string): void;
  loadFolder(files: { path: string; file: Blob }[], name: string): void;
  useEmbedded(): void;
}

let abort: AbortController | null = null;

/** The policy files of a dtype, from files by path. */
function policyFrom(name: string, files: Record<string, Uint8Array>, option: DtypeOption): Extract<PolicySource, { kind: 'bytes' }> {
  return { kind: 'bytes', name, files, onnx: option.onnx, data: option.data };
}

export function cachedSource(id: string): BroughtModel {
  return {
    name: id,
    async read() {
      const got = await readCached(id);
      if (!got) throw new Error(`${id} is not completely in this browser's cache; download it again.`);
      const option = dtypeOptions(got.manifest.files)[0];
      if (!option) throw new Error(`${id}'s cached files are not a transformers.js model.`);
      return policyFrom(id, got.files, option);
    },
  };
}

export const useHub = create<HubState>()((set, get) => ({
  open: false,
  id: '',
  listing: null,
  listingBusy: false,
  dtype: null,
  progress: {},
  downloading: false,
  cached: [],
  error: null,
  gpuF16: null,

  setOpen(open) {
    set({ open });
    if (open) {
      void get().refreshCached();
      if (get().gpuF16 === null) void gpuHasF16().then((gpuF16) => set({ gpuF16 }));
    }
  },
  setId: (id) => set({ id: id.trim(), error: null }),
  setDtype: (dtype) => set({ dtype }),

  async list() {
    const id = get().id;
    if (!validModelId(id)) return set({ error: `"${id}" is not a Hub model id (owner/name).`, listing: null });
    set({ listingBusy: true, error: null, listing: null, progress: {} });
    try {
      const res = await fetch(listingUrl(id)).catch((e: unknown) => {
        throw new Error(`The Hub could not be reached (${e instanceof Error ? e.message : String(e)}). Models already in the cache still load offline.`);
      });
      if (!res.ok) throw new Error(hubProblem(res.status, 'the file listing', id));
      const files = parseListing(await res.json());
      const options = dtypeOptions(files);
      if (!options.length) throw new Error(`${id} is not a transformers.js causal LM: it needs config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx.`);
      const pick = defaultDtype(options, get().gpuF16 ?? (await gpuHasF16()));
      set({ listing: { id, files, options }, dtype: pick?.dtype ?? null });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    } finally {
      set({ listingBusy: false });
    }
  },

  async download() {
    const { listing, dtype } = get();
    const option = listing?.options.find((o) => o.dtype === dtype);
    if (!listing || !option) return;
    abort = new AbortController();
    const files = neededFiles(listing.files, option);
    set({ downloading: true, error: null, progress: Object.fromEntries(files.map((f) => [f.path, { loaded: 0, total: f.size }])) });
    try {
      await downloadModel({ id: listing.id, dtype: option.dtype, files }, (path, loaded, total) => set({ progress: { ...get().progress, [path]: { loaded, total } } }), abort.signal);
      set({ downloading: false });
      await get().refreshCached();
      get().loadCached(listing.id);
    } catch (e) {
      const cancelled = e instanceof DOMException && e.name === 'AbortError';
      set({ downloading: false, error: cancelled ? 'Download cancelled. What arrived is kept: Download resumes it.' : e instanceof Error ? e.message : String(e) });
      await get().refreshCached();
    } finally {
      abort = null;
    }
  },

  cancel() {
    abort?.abort();
  },

  async refreshCached() {
    set({ cached: await listCached().catch(() => []) });
  },

  async remove(id) {
    await deleteCached(id).catch(() => undefined);
    await get().refreshCached();
  },

  loadCached(id) {
    set({ open: false });
    useModel.getState().useSource(cachedSource(id));
  },

  loadFolder(entries, name) {
    const paths = entries.map((e) => e.path);
    const problem = folderProblem(paths);
    if (problem) return set({ error: problem });
    const option = defaultDtype(dtypeOptions(entries.map((e) => ({ path: e.path, size: e.file.size }))), get().gpuF16 ?? false);
    if (!option) return set({ error: 'This folder has no ONNX file the studio can run.' });
    const wanted = new Set(neededFiles(entries.map((e) => ({ path: e.path, size: e.file.size })), option).map((f) => f.path));
    set({ open: false, error: null });
    useModel.getState().useSource({
      name: `${name} (local folder)`,
      async read() {
        const files: Record<string, Uint8Array> = {};
        for (const e of entries) if (wanted.has(e.path)) files[e.path] = new Uint8Array(await e.file.arrayBuffer());
        return policyFrom(name, files, option);
      },
    });
  },

  useEmbedded() {
    set({ open: false });
    useModel.getState().useSource(null);
  },
}));

async function gpuHasF16(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ features: { has(f: string): boolean } } | null> } }).gpu;
  try {
    return !!(await gpu?.requestAdapter())?.features.has('shader-f16');
  } catch {
    return false;
  }
}
