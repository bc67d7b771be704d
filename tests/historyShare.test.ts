import { describe, expect, it } from 'vitest';
import { dbKey, entryTitle, mergeDecision, searchHistory, summarizeRuns, type HistoryEntry } from '../src/core/history/history';
import { decodeShare, encodeShare, shareParam, shareUrl } from '../src/core/share/shareLink';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({ dbKey: 'sample:chinook', at: 0, question: null, sql: 'SELECT 1', origin: 'edit', steps: [], ok: true, ...over });

describe('history', () => {
  it('keys: a sample by id, a URL by address, a file by name and size', () => {
    expect(dbKey({ kind: 'sample', id: 'chinook' })).toBe('sample:chinook');
    expect(dbKey({ kind: 'url', url: 'https://x.org/a.db' })).toBe('url:https://x.org/a.db');
    expect(dbKey({ kind: 'file', name: 'a.db', size: 10 })).toBe('file:a.db:10');
  });

  it('keeps counts, times and errors of a run, never its rows', () => {
    const s = summarizeRuns(
      ['s1', 'final'],
      [
        { ok: true, result: { columns: ['a'], rows: [[1], [2]], totalRows: 2, truncated: false, elapsedMs: 1.234 } },
        { ok: false, kind: 'sql', error: 'no such column: b' },
      ],
    );
    expect(s).toEqual([
      { name: 's1', rows: 2, ms: 1.2, error: null },
      { name: 'final', rows: null, ms: null, error: 'no such column: b' },
    ]);
    expect(JSON.stringify(s)).not.toContain('[1]');
  });

  it('a re-run and a burst of typing replace the last entry; an answer is never replaced by an edit', () => {
    const answer = entry({ origin: 'answer', question: 'How many?', sql: 'A', at: 0 });
    expect(mergeDecision(undefined, answer)).toBe('add');
    expect(mergeDecision(answer, { ...answer, at: 5 })).toBe('replace');
    const edit = entry({ origin: 'edit', question: 'How many?', sql: 'B', at: 1000 });
    expect(mergeDecision(answer, edit)).toBe('add');
    expect(mergeDecision(edit, { ...edit, sql: 'BC', at: 2000 })).toBe('replace');
    expect(mergeDecision(edit, { ...edit, sql: 'BC', at: 1000 + 61_000 })).toBe('add');
    expect(mergeDecision(edit, { ...edit, sql: 'BC', question: 'Other?' })).toBe('add');
    expect(mergeDecision(edit, { ...edit, dbKey: 'sample:pets_1' })).toBe('add');
    expect(mergeDecision(edit, { ...edit, sql: '  ' })).toBe('skip');
  });

  it('search: every word, any case, in the question or the chain, newest first', () => {
    const es = [entry({ at: 1, question: 'Tracks per genre', sql: 'SELECT g.Name …' }), entry({ at: 2, sql: 'SELECT count(*) FROM Album' }), entry({ at: 3, question: 'Albums by genre', sql: 'x' })];
    expect(searchHistory(es, 'GENRE').map((e) => e.at)).toEqual([3, 1]);
    expect(searchHistory(es, 'album count').map((e) => e.at)).toEqual([2]);
    expect(searchHistory(es, '').map((e) => e.at)).toEqual([3, 2, 1]);
    expect(entryTitle(entry({ sql: 'WITH s1 AS (\n  SELECT 1\n)\n-- note\nSELECT * FROM s1' }))).toBe('SELECT * FROM s1');
  });
});

describe('share links', () => {
  const state = { question: 'Which genres — «long» tracks? 🎵', sql: 'WITH s1 AS (\n  SELECT 1\n)\nSELECT * FROM s1', db: { kind: 'sample' as const, id: 'chinook' } };

  it('round-trips the question, the chain and the database reference (unicode included)', () => {
    const link = shareUrl('http://127.0.0.1:4173/?sample=x#old', state);
    expect(link.startsWith('http://127.0.0.1:4173/?sample=x#share=')).toBe(true);
    const param = shareParam(new URL(link).hash)!;
    expect(decodeShare(param)).toEqual({ ok: true, state });
    const file = { question: null, sql: 'SELECT 1', db: { kind: 'file' as const, name: 'mine.sqlite', size: 4096 } };
    expect(decodeShare(encodeShare(file))).toEqual({ ok: true, state: file });
  });

  it('a cut, altered or foreign link gets a message', () => {
    const enc = encodeShare(state);
    const cut = decodeShare(enc.slice(0, enc.length - 7));
    expect(cut.ok).toBe(false);
    expect(decodeShare('%%%')).toEqual({ ok: false, error: expect.stringMatching(/damaged/) });
    const v2 = Buffer.from(JSON.stringify({ v: 2, sql: 'x' })).toString('base64url');
    expect(decodeShare(v2)).toEqual({ ok: false, error: expect.stringMatching(/another version/) });
    const js = Buffer.from(JSON.stringify({ v: 1, sql: 'x', db: { kind: 'url', url: 'javascript:alert(1)' } })).toString('base64url');
    expect(decodeShare(js)).toEqual({ ok: false, error: expect.stringMatching(/does not read/) });
    expect(() => encodeShare({ ...state, sql: 'x'.repeat(20_001) })).toThrow(/at most/);
    expect(shareParam('#exercise=1')).toBeNull();
  });
});
