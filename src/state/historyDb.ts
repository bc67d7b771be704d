/**
 * History and Recent in the browser's IndexedDB (through `idb`): one store of history entries (indexed by database),
 * one of recent databases, one of settings (whether to keep opened files). Rows of results are never written here.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { historySettings, mergeDecision, type HistoryEntry, type RecentDb } from '../core/history/history';

export type KeepFiles = 'ask' | 'yes' | 'no';

interface HistorySchema extends DBSchema {
  entries: { key: number; value: HistoryEntry; indexes: { dbKey: string } };
  databases: { key: string; value: RecentDb };
  settings: { key: string; value: { key: string; value: KeepFiles } };
}

let db: Promise<IDBPDatabase<HistorySchema>> | null = null;

function open(): Promise<IDBPDatabase<HistorySchema>> {
  return (db ??= openDB<HistorySchema>(historySettings().dbName, 1, {
    upgrade(d) {
      d.createObjectStore('entries', { keyPath: 'id', autoIncrement: true }).createIndex('dbKey', 'dbKey');
      d.createObjectStore('databases', { keyPath: 'key' });
      d.createObjectStore('settings', { keyPath: 'key' });
    },
  }));
}

/** Every entry of a database, in the order they were kept. */
export async function entriesOf(dbKey: string): Promise<HistoryEntry[]> {
  return (await open()).getAllFromIndex('entries', 'dbKey', dbKey);
}

/**
 * Keeps `entry`: added, or in place of the database's last entry (mergeDecision); the oldest entries beyond
 * `maxPerDb` go. Returns the database's entries afterwards.
 */
export async function record(entry: HistoryEntry): Promise<HistoryEntry[]> {
  const d = await open();
  const tx = d.transaction('entries', 'readwrite');
  const index = tx.store.index('dbKey');
  const all = await index.getAll(entry.dbKey);
  const last = all[all.length - 1];
  const decision = mergeDecision(last, entry);
  if (decision === 'replace' && last?.id !== undefined) {
    const kept = { ...entry, id: last.id };
    await tx.store.put(kept);
    all[all.length - 1] = kept;
  } else if (decision === 'add') {
    const id = await tx.store.add(entry);
    all.push({ ...entry, id });
  }
  const excess = all.length - historySettings().maxPerDb;
  for (const old of all.splice(0, Math.max(0, excess))) await tx.store.delete(old.id!);
  await tx.done;
  return all;
}

export async function deleteEntry(id: number): Promise<void> {
  await (await open()).delete('entries', id);
}

export async function clearEntries(dbKey: string): Promise<void> {
  const d = await open();
  const tx = d.transaction('entries', 'readwrite');
  for (const key of await tx.store.index('dbKey').getAllKeys(dbKey)) await tx.store.delete(key);
  await tx.done;
}

export async function recentDbs(): Promise<RecentDb[]> {
  const all = await (await open()).getAll('databases');
  return all.sort((a, b) => b.lastOpened - a.lastOpened);
}

export async function putRecent(r: RecentDb): Promise<void> {
  await (await open()).put('databases', r);
}

export async function getRecent(key: string): Promise<RecentDb | undefined> {
  return (await open()).get('databases', key);
}

export async function deleteRecent(key: string): Promise<void> {
  await (await open()).delete('databases', key);
}

export async function keepFilesSetting(): Promise<KeepFiles> {
  return (await (await open()).get('settings', 'keepFiles'))?.value ?? 'ask';
}

export async function setKeepFiles(value: KeepFiles): Promise<void> {
  await (await open()).put('settings', { key: 'keepFiles', value });
}
