/**
 * Downloading model files with one byte-progress total over every file (the policy's and the PRM's): sizes come from
 * HEAD requests first, then each file streams in and reports its bytes.
 */
import { readStream } from './readStream';

export type OnProgress = (loaded: number, total: number, file: string) => void;

export interface Download {
  bytes(url: string, file: string): Promise<Uint8Array>;
  json<T>(url: string, file: string): Promise<T>;
}

/** A model file that is missing, unreadable or damaged; its message names the file. */
export class ModelFileError extends Error {}

export async function startDownload(urls: string[], onProgress: OnProgress): Promise<Download> {
  const sizes = await Promise.all(urls.map((u) => fetch(u, { method: 'HEAD' }).then((r) => Number(r.headers.get('content-length') ?? 0), () => 0)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let loaded = 0;
  const bytes = (url: string, file: string) => fetchWithProgress(url, file, (n) => onProgress((loaded += n), total, file));
  const json = async <T>(url: string, file: string): Promise<T> => {
    const text = new TextDecoder().decode(await bytes(url, file));
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ModelFileError(`The model file ${file} is damaged: it is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
    }
  };
  return { bytes, json };
}

async function fetchWithProgress(url: string, file: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new ModelFileError(`The model file ${file} is missing (HTTP ${res.status}).`);
    return await readStream(res.body!, onBytes);
  } catch (e) {
    // A refused or broken connection says only "Failed to fetch" / "network error": name the file.
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`The model file ${file} could not be fetched (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
}
