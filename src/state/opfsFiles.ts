/**
 * Copies of opened database files in the browser's origin private file system (OPFS), so that Recent reopens them
 * without a new upload. A copy is written only when the user agreed, is only ever read afterwards, and is deleted
 * from Recent. The user's own file is never written to.
 */
const DIR = 'recent-databases';

async function dir(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('This browser has no private file system (OPFS) to keep files in.');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
}

export function opfsAvailable(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

/** Writes a copy of `file` and returns the name it is kept under. */
export async function keepFile(file: Blob): Promise<string> {
  const name = `db-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const handle = await (await dir()).getFileHandle(name, { create: true });
  const w = await handle.createWritable();
  try {
    await w.write(file);
    await w.close();
  } catch (e) {
    await w.abort().catch(() => undefined);
    await (await dir()).removeEntry(name).catch(() => undefined);
    throw e;
  }
  return name;
}

/** The kept copy as a File named `displayName`. */
export async function readKept(name: string, displayName: string): Promise<File> {
  const f = await (await (await dir()).getFileHandle(name)).getFile();
  return new File([f], displayName, { type: f.type });
}

export async function removeKept(name: string): Promise<void> {
  await (await dir()).removeEntry(name);
}
