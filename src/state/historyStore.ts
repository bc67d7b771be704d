/**
 * The history slice: the open database's history entries (from IndexedDB), the search, the Recent databases and
 * whether opened files are kept (OPFS), and the actions that restore an entry or reopen a database. Entries are
 * written by `watchHistory` (historyWatch.ts).
 */
import { create } from 'zustand';
import { dbKey, type HistoryEntry, type RecentDb } from '../core/history/history';
import * as store from './historyDb';
import { keepFile, readKept, removeKept } from './opfsFiles';
import { useQuestionDraft } from './questionDraft';
import { useStudio } from './store';

export interface HistoryState {
  panelOpen: boolean;
  /** The open database's entries, in the order kept. */
  entries: HistoryEntry[];
  query: string;
  recent: RecentDb[];
  keepFiles: store.KeepFiles;
  /** A local file that may be kept for Recent: the question is shown until the user answers. */
  offer: { key: string; name: string; bytes: number } | null;
  /** Why history or Recent failed (storage refused, file gone), if they did. */
  error: string | null;
  openPanel(open: boolean): void;
  setQuery(q: string): void;
  /** Loads the open database's entries, the Recent list and the keep-files setting. */
  load(): Promise<void>;
  record(entry: HistoryEntry): Promise<void>;
  /** Puts the entry's question in the question box and its chain in the editor (which runs it into the timeline). */
  restore(entry: HistoryEntry): void;
  remove(entry: HistoryEntry): Promise<void>;
  clearDb(): Promise<void>;
  /** Opens a Recent database: a sample or URL again, a kept file from OPFS; false (with a message) when it cannot. */
  reopen(r: RecentDb): Promise<boolean>;
  /** Forgets a Recent database and deletes its kept copy. */
  forget(r: RecentDb): Promise<void>;
  /** The user's answer to keeping the file on offer; `always`/`never` also set the default. */
  answerOffer(keep: boolean, remember: boolean): Promise<void>;
  setKeepFiles(v: store.KeepFiles): Promise<void>;
  /** Notes a newly opened database in Recent (and offers to keep a local file). */
  noteOpened(r: RecentDb, file: File | null): Promise<void>;
}

const failed = (what: string, e: unknown) => `${what}: ${e instanceof Error ? e.message : String(e)}`;
let offeredFile: File | null = null;

export const useHistory = create<HistoryState>()((set, get) => ({
  panelOpen: false,
  entries: [],
  query: '',
  recent: [],
  keepFiles: 'ask',
  offer: null,
  error: null,

  openPanel(open) {
    set({ panelOpen: open });
    if (open) void get().load();
  },

  setQuery(q) {
    set({ query: q });
  },

  async load() {
    const src = useStudio.getState().dbSource;
    try {
      const [entries, recent, keepFiles] = await Promise.all([src ? store.entriesOf(dbKey(src)) : [], store.recentDbs(), store.keepFilesSetting()]);
      set({ entries, recent, keepFiles, error: null });
    } catch (e) {
      set({ error: failed('History could not be read', e) });
    }
  },

  async record(entry) {
    try {
      const entries = await store.record(entry);
      const src = useStudio.getState().dbSource;
      if (src && dbKey(src) === entry.dbKey) set({ entries });
    } catch (e) {
      set({ error: failed('History could not be saved', e) });
    }
  },

  restore(entry) {
    useQuestionDraft.setState({ text: entry.question ?? '', asked: entry.question });
    useStudio.getState().setSql(entry.sql);
    set({ panelOpen: false });
  },

  async remove(entry) {
    if (entry.id === undefined) return;
    await store.deleteEntry(entry.id).catch((e: unknown) => set({ error: failed('The entry could not be deleted', e) }));
    set((s) => ({ entries: s.entries.filter((e) => e.id !== entry.id) }));
  },

  async clearDb() {
    const src = useStudio.getState().dbSource;
    if (!src) return;
    await store.clearEntries(dbKey(src)).catch((e: unknown) => set({ error: failed('History could not be cleared', e) }));
    set({ entries: [] });
  },

  async reopen(r) {
    const studio = useStudio.getState();
    set({ panelOpen: false });
    if (r.ref.kind === 'sample') return studio.openSample(r.ref.id);
    if (r.ref.kind === 'url') return studio.openUrl(r.ref.url);
    if (!r.stored) {
      useStudio.setState({ error: `${r.name} was not kept in this browser: open it again with "Open file…".` });
      return false;
    }
    let file: File;
    try {
      file = await readKept(r.stored, r.name);
    } catch (e) {
      useStudio.setState({ error: failed(`The kept copy of ${r.name} could not be read (it may have been cleared with the site's data)`, e) });
      return false;
    }
    return studio.openFile(file);
  },

  async forget(r) {
    try {
      if (r.stored) await removeKept(r.stored).catch(() => undefined);
      await store.deleteRecent(r.key);
      set((s) => ({ recent: s.recent.filter((x) => x.key !== r.key), offer: s.offer?.key === r.key ? null : s.offer }));
    } catch (e) {
      set({ error: failed(`${r.name} could not be removed`, e) });
    }
  },

  async answerOffer(keep, remember) {
    const offer = get().offer;
    const file = offeredFile;
    set({ offer: null });
    offeredFile = null;
    if (remember) await get().setKeepFiles(keep ? 'yes' : 'no');
    if (keep && offer && file) await keepOpened(offer.key, file, set);
  },

  async setKeepFiles(v) {
    set({ keepFiles: v });
    await store.setKeepFiles(v).catch((e: unknown) => set({ error: failed('The setting could not be saved', e) }));
  },

  async noteOpened(r, file) {
    try {
      const prev = await store.getRecent(r.key);
      const keepFiles = await store.keepFilesSetting();
      await store.putRecent({ ...r, stored: prev?.stored ?? null });
      set({ keepFiles });
      if (r.ref.kind === 'file' && file && !prev?.stored) {
        if (keepFiles === 'yes') await keepOpened(r.key, file, set);
        else if (keepFiles === 'ask') {
          offeredFile = file;
          set({ offer: { key: r.key, name: r.name, bytes: r.bytes } });
        }
      }
      await get().load();
    } catch (e) {
      set({ error: failed('Recent could not be saved', e) });
    }
  },
}));

/** Writes the copy to OPFS and marks the Recent entry as kept. */
async function keepOpened(key: string, file: File, set: (p: Partial<HistoryState>) => void): Promise<void> {
  try {
    const stored = await keepFile(file);
    const r = await store.getRecent(key);
    if (r) await store.putRecent({ ...r, stored });
    set({ recent: await store.recentDbs(), error: null });
  } catch (e) {
    set({ error: failed(`${file.name} could not be kept in this browser`, e) });
  }
}
