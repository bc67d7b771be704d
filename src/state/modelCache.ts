/**
 * Hub model files kept in the browser's private file system (OPFS, `hub-models/<owner>__<name>/<path>`), so that a
 * second load needs no network. A download reports bytes per file, can be cancelled, and resumes a file where it
 * stopped when the server honours `Range` (206); otherwise that file starts again. What is written is committed every
 * few MB, so a cancelled or failed download keeps its bytes. Each model folder has a `manifest.json` with the sizes
 * the Hub listed; a file is complete when it has that size.
 */
import { hubProblem, resolveUrl, type ModelFileEntry } from '../core/hubModel';

const ROOT = 'hub-models';
const MANIFEST = 'manifest.json';
/** Bytes written between commits of the file being downloaded. */
const COMMIT_BYTES = 8 * 1024 * 1024;

export interface Manifest {
  id: string;
  dtype: string;
  files: ModelFileEntry[];
}

export interface CachedModel extends Manifest {
  /** Bytes on disk. */
  bytes: number;
  complete: boolean;
}

export type FileProgress = (path: string, loaded: number, total: number) => void;

const folderName = (id: string) => id.replace('/', '__');

async function root(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('This browser has no private file system (OPFS) to keep models in.');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
}

async function folder(id: string, path = '', create = true): Promise<FileSystemDirectoryHandle> {
  let d = await (await root()).getDirectoryHandle(folderName(id), { create });
  for (const part of path.split('/').slice(0, -1)) if (part) d = await d.getDirectoryHandle(part, { create });
  return d;
}

const baseName = (path: string) => path.split('/').pop()!;

async function fileSize(id: string, path: string): Promise<number> {
  try {
    return (await (await (await folder(id, path, false)).getFileHandle(baseName(path))).getFile()).size;
  } catch {
    return 0;
  }
}

async function readManifest(id: string): Promise<Manifest | null> {
  try {
    const f = await (await (await folder(id, '', false)).getFileHandle(MANIFEST)).getFile();
    return JSON.parse(await f.text()) as Manifest;
  } catch {
    return null;
  }
}

async function writeManifest(m: Manifest): Promise<void> {
  const w = await (await (await folder(m.id)).getFileHandle(MANIFEST, { create: true })).createWritable();
  await w.write(JSON.stringify(m));
  await w.close();
}

/** Every model folder in the cache, with its size on disk and whether every listed file is complete. */
export async function listCached(): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  let r: FileSystemDirectoryHandle;
  try {
    r = await root();
  } catch {
    return out;
  }
  for await (const [name] of (r as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    const m = await readManifest(name.replace('__', '/'));
    if (!m) continue;
    const sizes = await Promise.all(m.files.map((f) => fileSize(m.id, f.path)));
    out.push({ ...m, bytes: sizes.reduce((a, b) => a + b, 0), complete: m.files.every((f, i) => sizes[i] === f.size) });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export async function deleteCached(id: string): Promise<void> {
  await (await root()).removeEntry(folderName(id), { recursive: true });
}

/**
 * Downloads the files missing from the cache (or resumes them). Throws with a plain message when the Hub refuses a
 * file or the connection fails; the bytes already written stay for the next try. `signal` cancels.
 */
export async function downloadModel(manifest: Manifest, onProgress: FileProgress, signal: AbortSignal, fetcher: typeof fetch = fetch): Promise<void> {
  await writeManifest(manifest);
  for (const f of manifest.files) {
    let have = await fileSize(manifest.id, f.path);
    if (have > f.size) {
      await (await folder(manifest.id, f.path)).removeEntry(baseName(f.path));
      have = 0;
    }
    onProgress(f.path, have, f.size);
    if (have === f.size && f.size > 0) continue;
    await downloadFile(manifest.id, f, have, onProgress, signal, fetcher);
  }
}

async function downloadFile(id: string, f: ModelFileEntry, from: number, onProgress: FileProgress, signal: AbortSignal, fetcher: typeof fetch): Promise<void> {
  let res: Response;
  try {
    res = await fetcher(resolveUrl(id, f.path), { signal, ...(from > 0 ? { headers: { Range: `bytes=${from}-` } } : {}) });
  } catch (e) {
    if (signal.aborted) throw new DOMException('Download cancelled.', 'AbortError');
    throw new Error(`${f.path} could not be downloaded: the connection failed (${e instanceof Error ? e.message : String(e)}). What was downloaded is kept; try again to resume.`);
  }
  if (!res.ok) throw new Error(hubProblem(res.status, f.path, id));
  // 206: the server resumed at `from`; 200: it sent the whole file again.
  let at = res.status === 206 ? from : 0;
  const handle = await (await folder(id, f.path)).getFileHandle(baseName(f.path), { create: true });
  let w = await handle.createWritable({ keepExistingData: at > 0 });
  if (at > 0) await w.seek(at);
  else await w.truncate(0);
  let sinceCommit = 0;
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await w.write(value);
      at += value.byteLength;
      sinceCommit += value.byteLength;
      onProgress(f.path, at, f.size);
      if (sinceCommit >= COMMIT_BYTES) {
        await w.close();
        w = await handle.createWritable({ keepExistingData: true });
        await w.seek(at);
        sinceCommit = 0;
      }
    }
    await w.close();
  } catch (e) {
    // Keep what arrived: the next download resumes after it.
    await w.close().catch(() => undefined);
    if (signal.aborted) throw new DOMException('Download cancelled.', 'AbortError');
    throw new Error(`${f.path} stopped downloading at ${at} of ${f.size} bytes (${e instanceof Error ? e.message : String(e)}). What was downloaded is kept; try again to resume.`);
  }
  if (at !== f.size) throw new Error(`${f.path} is incomplete: ${at} bytes arrived where the Hub listed ${f.size}. Try again to resume.`);
}

/** The files of a complete cached model, by path (null when something is missing). */
export async function readCached(id: string): Promise<{ manifest: Manifest; files: Record<string, Uint8Array> } | null> {
  const manifest = await readManifest(id);
  if (!manifest) return null;
  const files: Record<string, Uint8Array> = {};
  for (const f of manifest.files) {
    try {
      const file = await (await (await folder(id, f.path, false)).getFileHandle(baseName(f.path))).getFile();
      if (file.size !== f.size) return null;
      files[f.path] = new Uint8Array(await file.arrayBuffer());
    } catch {
      return null;
    }
  }
  return { manifest, files };
}
