/**
 * Share links: the question, the chain and where the database came from (a sample id or a URL; for a local file
 * only its name and size), written into the URL's fragment (`#share=…`), which browsers never send to a server. A link
 * never carries rows or the database. Pure: encoding, decoding and checking.
 */
import type { DbRef } from '../history/history';

export interface SharedState {
  question: string | null;
  sql: string;
  db: DbRef | null;
}

/** The fragment parameter, and the longest chain a link carries (browsers take URLs of 2 MB; mail and chat cut far shorter). */
export function shareSettings(): { param: string; maxSqlChars: number; maxQuestionChars: number } {
  return { param: 'share', maxSqlChars: 20_000, maxQuestionChars: 2_000 };
}

const VERSION = 1;

export function encodeShare(state: SharedState): string {
  const s = shareSettings();
  if (state.sql.length > s.maxSqlChars) throw new Error(`The chain is ${state.sql.length.toLocaleString('en-US')} characters; a share link carries at most ${s.maxSqlChars.toLocaleString('en-US')}.`);
  const body = { v: VERSION, q: state.question ?? undefined, sql: state.sql, db: state.db ?? undefined };
  return toBase64Url(new TextEncoder().encode(JSON.stringify(body)));
}

/** The link: `base` (the studio's address, without a fragment) with the state in its fragment. */
export function shareUrl(base: string, state: SharedState): string {
  return `${base.split('#')[0]}#${shareSettings().param}=${encodeShare(state)}`;
}

/** The encoded state in a fragment (`#share=…`), or null when the fragment holds none. */
export function shareParam(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get(shareSettings().param);
}

export type Decoded = { ok: true; state: SharedState } | { ok: false; error: string };

/** The state in an encoded link, or why it cannot be read (a cut or altered link). */
export function decodeShare(text: string): Decoded {
  const s = shareSettings();
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(text)));
  } catch {
    return { ok: false, error: 'This share link is damaged (it may have been cut when it was copied): its question and chain cannot be read.' };
  }
  if (typeof body !== 'object' || body === null) return { ok: false, error: 'This share link holds no studio state.' };
  const b = body as Record<string, unknown>;
  if (b.v !== VERSION) return { ok: false, error: `This share link was made by another version of the studio (format ${String(b.v)}; this one reads ${VERSION}).` };
  if (typeof b.sql !== 'string' || b.sql.length > s.maxSqlChars) return { ok: false, error: 'This share link has no chain, or one longer than a link may carry.' };
  if (b.q !== undefined && (typeof b.q !== 'string' || b.q.length > s.maxQuestionChars)) return { ok: false, error: 'This share link\'s question cannot be read.' };
  const db = b.db === undefined ? null : checkRef(b.db);
  if (db === undefined) return { ok: false, error: 'This share link names its database in a way this studio does not read.' };
  return { ok: true, state: { question: (b.q as string | undefined) ?? null, sql: b.sql, db } };
}

function checkRef(x: unknown): DbRef | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const r = x as Record<string, unknown>;
  if (r.kind === 'sample' && typeof r.id === 'string') return { kind: 'sample', id: r.id };
  if (r.kind === 'url' && typeof r.url === 'string' && /^https?:\/\//i.test(r.url)) return { kind: 'url', url: r.url };
  if (r.kind === 'file' && typeof r.name === 'string' && typeof r.size === 'number' && Number.isFinite(r.size) && r.size >= 0) return { kind: 'file', name: r.name, size: r.size };
  return undefined;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    const chunk = text.slice(i, i + 4);
    let n = 0;
    for (let k = 0; k < 4; k++) n = (n << 6) | (k < chunk.length ? ALPHABET.indexOf(chunk[k]!) : 0);
    out.push((n >> 16) & 255);
    if (chunk.length > 2) out.push((n >> 8) & 255);
    if (chunk.length > 3) out.push(n & 255);
  }
  return new Uint8Array(out);
}
