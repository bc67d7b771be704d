/**
 * Share links in the studio: the link for what is on screen (the question, the chain, where the database came from),
 * and opening a link: its sample or URL is opened and its question and chain restored; for a local file the studio
 * asks for the file (`awaiting`) and runs the chain once a file is open.
 */
import { create } from 'zustand';
import { decodeShare, shareParam, shareUrl, type SharedState } from '../core/share/shareLink';
import { useQuestionDraft } from './questionDraft';
import { SAMPLES } from './samples';
import { useStudio } from './store';

export interface ShareState {
  /** A link's local file the studio waits for: its name and size as the link gives them. */
  awaiting: { name: string; size: number } | null;
  dismiss(): void;
}

export const useShare = create<ShareState>()((set) => ({
  awaiting: null,
  dismiss() {
    set({ awaiting: null });
  },
}));

/** What a link made now carries. */
export function currentShareState(): SharedState {
  const s = useStudio.getState();
  const q = useQuestionDraft.getState();
  return { question: q.asked ?? (q.text.trim() || null), sql: s.sql, db: s.dbSource };
}

/** The link for what is on screen (the studio's address without its query or fragment). Throws when the chain is too long. */
export function currentShareLink(): string {
  return shareUrl(`${location.origin}${location.pathname}`, currentShareState());
}

export function hasSharedLink(hash: string): boolean {
  return shareParam(hash) !== null;
}

/**
 * Opens the share link in `hash` (`#share=…`), if there is one, and takes the fragment out of the address. Returns
 * false when there is none or it cannot be read (the error banner says why), so that the studio opens as usual.
 */
export async function openSharedLink(hash: string): Promise<boolean> {
  const param = shareParam(hash);
  if (param === null) return false;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  const decoded = decodeShare(param);
  if (!decoded.ok) {
    useStudio.setState({ error: `${decoded.error} The studio opened as usual.` });
    return false;
  }
  const { question, sql, db } = decoded.state;
  const studio = useStudio.getState();
  if (db?.kind === 'file') {
    useShare.setState({ awaiting: { name: db.name, size: db.size } });
    restore(question, sql);
    const stop = useStudio.subscribe((s) => {
      if (s.dbSource?.kind !== 'file') return;
      stop();
      useShare.setState({ awaiting: null });
      restore(question, sql);
    });
    return true;
  }
  if (db?.kind === 'url') {
    // A URL that fails leaves its message in the banner; the question and chain are still restored.
    await studio.openUrl(db.url);
  } else {
    const id = db?.id ?? SAMPLES[0]!.id;
    const known = SAMPLES.some((x) => x.id === id);
    await studio.openSample(id);
    if (!known) useStudio.setState({ error: `This link's sample "${id}" is not in this studio; ${SAMPLES[0]!.title} is open instead.` });
  }
  restore(question, sql);
  return true;
}

function restore(question: string | null, sql: string): void {
  useQuestionDraft.setState({ text: question ?? '', asked: question });
  useStudio.getState().setSql(sql);
}
