/** Reads a file (Blob) into one buffer in pieces, reporting the bytes read; says plainly when the browser cannot hold it. */
import { memoryMessage } from './memoryLimit';
import { DatabaseOpenError } from './sqljsEngine';

const CHUNK = 16 << 20;

export async function readBlob(blob: Blob, onProgress?: (done: number, total: number) => void): Promise<Uint8Array> {
  const total = blob.size;
  let out: Uint8Array;
  try {
    out = new Uint8Array(total);
  } catch (e) {
    throw new DatabaseOpenError(memoryMessage(total, e));
  }
  onProgress?.(0, total);
  for (let at = 0; at < total; at += CHUNK) {
    const piece = new Uint8Array(await blob.slice(at, Math.min(total, at + CHUNK)).arrayBuffer());
    out.set(piece, at);
    onProgress?.(at + piece.byteLength, total);
  }
  return out;
}
