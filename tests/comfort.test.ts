/**
 * The action registry (src/state/actions.ts) and the pure logic behind the comfort features: shortcut matching and
 * labels, candidate stepping, the theme choice, schema search, and result sorting and copying.
 */
import { describe, expect, it } from 'vitest';
import { searchSchema, splitMatch } from '../src/core/schemaSearch';
import { compareValues, copyText, nextSort, sortedOrder, toTsv } from '../src/core/resultTable';
import type { TableInfo } from '../src/core/types';
import { ACTIONS, actionById, actionForKey, formatShortcut, matches, stepCandidate, type ActionContext, type ActionState } from '../src/state/actions';
import { parseThemePref, resolveTheme } from '../src/state/uiStore';

const key = (code: string, m: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({ code, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...m });
const STATE: ActionState = { dbOpen: true, hasSql: true, hasResult: true, asking: false, candidates: [0, 1, 3], currentCandidate: 1, theme: 'light' };

describe('action registry', () => {
  it('has unique ids and unique shortcuts, and the actions the issue names', () => {
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
    const keys = ACTIONS.filter((a) => a.shortcut).map((a) => formatShortcut(a.shortcut!));
    expect(new Set(keys).size).toBe(keys.length);
    for (const id of ['run', 'ask', 'decompose', 'export.csv', 'candidate.next', 'candidate.previous', 'schema.search', 'theme.toggle', 'palette']) expect(actionById(id).label).not.toBe('');
    expect(() => actionById('nope')).toThrow(/No action/);
  });

  it('maps key presses to actions: Ctrl or ⌘, exact modifiers, NumpadEnter as Enter', () => {
    expect(actionForKey(key('Enter', { ctrlKey: true }))?.id).toBe('run');
    expect(actionForKey(key('NumpadEnter', { metaKey: true }))?.id).toBe('run');
    expect(actionForKey(key('Enter', { ctrlKey: true, shiftKey: true }))?.id).toBe('ask');
    expect(actionForKey(key('KeyD', { ctrlKey: true, shiftKey: true }))?.id).toBe('decompose');
    expect(actionForKey(key('KeyD', { ctrlKey: true }))).toBeNull();
    expect(actionForKey(key('BracketRight', { altKey: true }))?.id).toBe('candidate.next');
    expect(actionForKey(key('KeyK', { metaKey: true }))?.id).toBe('palette');
    expect(actionForKey(key('KeyK'))).toBeNull();
    expect(matches({ code: 'KeyE', mod: true, shift: true }, key('KeyE', { ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
  });

  it('writes shortcuts for Linux/Windows and for a Mac', () => {
    expect(formatShortcut(actionById('decompose').shortcut!)).toBe('Ctrl+Shift+D');
    expect(formatShortcut(actionById('decompose').shortcut!, true)).toBe('⌘⇧D');
    expect(formatShortcut(actionById('run').shortcut!, true)).toBe('⌘↩');
    expect(formatShortcut(actionById('candidate.previous').shortcut!)).toBe('Alt+[');
  });

  it('enables actions from the state snapshot', () => {
    expect(actionById('run').enabled({ ...STATE, dbOpen: false })).toBe(false);
    expect(actionById('ask').enabled({ ...STATE, asking: true })).toBe(false);
    expect(actionById('export.csv').enabled({ ...STATE, hasResult: false })).toBe(false);
    expect(actionById('decompose').enabled({ ...STATE, hasSql: false })).toBe(false);
    expect(actionById('candidate.next').enabled({ ...STATE, candidates: [1] })).toBe(false);
    expect(actionById('candidate.next').enabled(STATE)).toBe(true);
  });

  it('performs through the context it is given: candidates step, the theme toggles', () => {
    const calls: string[] = [];
    const ctx: ActionContext = {
      state: STATE,
      run: () => calls.push('run'),
      ask: () => calls.push('ask'),
      decompose: () => calls.push('decompose'),
      exportResult: (f) => calls.push(`export ${f}`),
      selectCandidate: (i) => calls.push(`candidate ${i}`),
      focusSchemaSearch: () => calls.push('search'),
      setTheme: (t) => calls.push(`theme ${t}`),
      openPalette: () => calls.push('palette'),
    };
    for (const id of ['candidate.next', 'candidate.previous', 'theme.toggle', 'theme.system', 'export.json', 'schema.search']) actionById(id).perform(ctx);
    expect(calls).toEqual(['candidate 3', 'candidate 0', 'theme dark', 'theme system', 'export json', 'search']);
  });

  it('steps through candidates, wrapping around and skipping holes', () => {
    expect(stepCandidate([0, 1, 3], 3, 1)).toBe(0);
    expect(stepCandidate([0, 1, 3], 0, -1)).toBe(3);
    expect(stepCandidate([2, 0], null, 1)).toBe(0);
    expect(stepCandidate([2], 2, 1)).toBeNull();
    expect(stepCandidate([], null, 1)).toBeNull();
  });
});

describe('theme', () => {
  it('follows the OS while the choice is system; a stored choice wins', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(parseThemePref('dark')).toBe('dark');
    expect(parseThemePref(null)).toBe('system');
    expect(parseThemePref('purple')).toBe('system');
  });
});

describe('schema search', () => {
  const table = (name: string, cols: string[]): TableInfo => ({ name, kind: 'table', columns: cols.map((c) => ({ name: c, type: 'TEXT', notNull: false, pk: 0, examples: [] })), primaryKey: [], foreignKeys: [], rowCount: 0 });
  const tables = [table('orders', ['id', 'customer_id']), table('customers', ['id', 'name']), table('audit', ['Customer_Ref'])];

  it('keeps every table for an empty search, tables by name before tables by column', () => {
    expect(searchSchema(tables, '  ').map((h) => h.table.name)).toEqual(['orders', 'customers', 'audit']);
    const hits = searchSchema(tables, 'CUSTOMER');
    expect(hits.map((h) => [h.table.name, h.byName, h.columns])).toEqual([
      ['customers', true, []],
      ['orders', false, ['customer_id']],
      ['audit', false, ['Customer_Ref']],
    ]);
    expect(searchSchema(tables, 'zzz')).toEqual([]);
  });

  it('finds one table among 2,000 with 20,000 columns', () => {
    const many = Array.from({ length: 2000 }, (_, i) => table(`t_${i}`, Array.from({ length: 10 }, (_, j) => `c${j}_${i}`)));
    const t0 = performance.now();
    const hits = searchSchema(many, 'c3_1999');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(hits.map((h) => h.table.name)).toEqual(['t_1999']);
    expect(splitMatch('Customer_Ref', 'cust')).toEqual(['', 'Cust', 'omer_Ref']);
  });
});

describe('result grid sorting and copying', () => {
  it("orders values as SQLite does: NULL, numbers, text, blobs; stable; asc, desc, then the query's order", () => {
    const rows = [[3], ['b'], [null], [1], ['a'], [new Uint8Array([1])], [1]];
    expect(sortedOrder(rows, 0, 'asc')).toEqual([2, 3, 6, 0, 4, 1, 5]);
    expect(sortedOrder(rows, 0, 'desc')).toEqual([5, 1, 4, 0, 3, 6, 2]);
    expect(sortedOrder(rows, null, 'asc')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(compareValues(2, 10)).toBeLessThan(0);
    expect(nextSort(null, 1)).toEqual({ col: 1, dir: 'asc' });
    expect(nextSort({ col: 1, dir: 'asc' }, 1)).toEqual({ col: 1, dir: 'desc' });
    expect(nextSort({ col: 1, dir: 'desc' }, 1)).toBeNull();
    expect(nextSort({ col: 1, dir: 'desc' }, 2)).toEqual({ col: 2, dir: 'asc' });
  });

  it('copies cells as text and rows as tab-separated values', () => {
    expect(copyText(null)).toBe('');
    expect(copyText(1.5)).toBe('1.5');
    expect(copyText(new Uint8Array([10, 255]))).toBe("x'0aff'");
    expect(toTsv([['a\tb', 1, null]], ['x', 'y', 'z'])).toBe('x\ty\tz\na b\t1\t');
  });
});
