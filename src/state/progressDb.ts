/** Exercise progress kept in the browser's IndexedDB (one record per exercise id), through `idb`. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ProgressState } from '../core/teaching/progress';
import { teachingSettings } from '../core/teaching/settings';

interface ProgressSchema extends DBSchema {
  progress: { key: string; value: { id: string; state: ProgressState; at: number } };
}

let db: Promise<IDBPDatabase<ProgressSchema>> | null = null;

function open(): Promise<IDBPDatabase<ProgressSchema>> {
  const { progressDb } = teachingSettings();
  return (db ??= openDB<ProgressSchema>(progressDb, 1, {
    upgrade(d) {
      d.createObjectStore('progress', { keyPath: 'id' });
    },
  }));
}

/** Every stored state by exercise id (exercises never opened have none). */
export async function loadProgress(): Promise<Record<string, ProgressState>> {
  const rows = await (await open()).getAll('progress');
  return Object.fromEntries(rows.map((r) => [r.id, r.state]));
}

export async function saveProgress(id: string, state: ProgressState): Promise<void> {
  await (await open()).put('progress', { id, state, at: Date.now() });
}
