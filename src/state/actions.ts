/**
 * The studio's actions, in one registry that feeds the command palette, the keyboard shortcuts and the buttons (in
 * the manner of excalidraw's action manager). Pure definitions: an action's `perform` acts through the
 * `ActionContext` it is given (built from the stores in src/ui/actionContext.ts), and `enabled` reads a plain
 * snapshot of the state, so the registry can be checked without a page.
 */

/** A key combination. `mod` is Ctrl, or ⌘ on a Mac; `code` is KeyboardEvent.code (the physical key). */
export interface Shortcut {
  code: string;
  mod?: boolean;
  shift?: boolean;
  alt?: boolean;
}

/** What decides whether an action can run now. */
export interface ActionState {
  dbOpen: boolean;
  /** The editor holds some SQL. */
  hasSql: boolean;
  /** The final query has a result to export. */
  hasResult: boolean;
  /** The model is answering a question. */
  asking: boolean;
  /** Indices of the candidates a search wrote (holes excluded). */
  candidates: number[];
  /** The candidate in the editor (selected, else chosen); null when none. */
  currentCandidate: number | null;
  theme: 'light' | 'dark';
}

/** How actions reach the studio. */
export interface ActionContext {
  state: ActionState;
  run(): void;
  ask(): void;
  decompose(): void;
  exportResult(format: 'csv' | 'json'): void;
  selectCandidate(index: number): void;
  focusSchemaSearch(): void;
  setTheme(theme: 'light' | 'dark' | 'system'): void;
  openPalette(): void;
}

export type ActionGroup = 'Query' | 'Model' | 'Result' | 'View';

export interface Action {
  id: string;
  label: string;
  group: ActionGroup;
  /** Extra words the palette matches. */
  keywords?: string[];
  shortcut?: Shortcut;
  enabled(s: ActionState): boolean;
  perform(ctx: ActionContext): void;
}

/** The next (`dir` 1) or previous (-1) candidate after `current`, wrapping around; null when there is no other. */
export function stepCandidate(candidates: number[], current: number | null, dir: 1 | -1): number | null {
  if (candidates.length === 0) return null;
  const sorted = [...candidates].sort((a, b) => a - b);
  if (current === null) return dir === 1 ? sorted[0]! : sorted[sorted.length - 1]!;
  const at = sorted.indexOf(current);
  const next = sorted[(((at < 0 ? 0 : at) + dir) % sorted.length + sorted.length) % sorted.length]!;
  return next === current ? null : next;
}

const always = () => true;

export const ACTIONS: readonly Action[] = [
  {
    id: 'run',
    label: 'Run the query',
    group: 'Query',
    keywords: ['execute', 'steps'],
    shortcut: { code: 'Enter', mod: true },
    enabled: (s) => s.dbOpen,
    perform: (c) => c.run(),
  },
  {
    id: 'decompose',
    label: 'Decompose the query into steps',
    group: 'Query',
    keywords: ['split', 'cte', 'chain'],
    shortcut: { code: 'KeyD', mod: true, shift: true },
    enabled: (s) => s.hasSql,
    perform: (c) => c.decompose(),
  },
  {
    id: 'ask',
    label: 'Ask the question',
    group: 'Model',
    keywords: ['model', 'question', 'answer'],
    shortcut: { code: 'Enter', mod: true, shift: true },
    enabled: (s) => s.dbOpen && !s.asking,
    perform: (c) => c.ask(),
  },
  {
    id: 'candidate.next',
    label: 'Next candidate',
    group: 'Model',
    keywords: ['chain', 'search'],
    shortcut: { code: 'BracketRight', alt: true },
    enabled: (s) => !s.asking && stepCandidate(s.candidates, s.currentCandidate, 1) !== null,
    perform: (c) => {
      const i = stepCandidate(c.state.candidates, c.state.currentCandidate, 1);
      if (i !== null) c.selectCandidate(i);
    },
  },
  {
    id: 'candidate.previous',
    label: 'Previous candidate',
    group: 'Model',
    keywords: ['chain', 'search'],
    shortcut: { code: 'BracketLeft', alt: true },
    enabled: (s) => !s.asking && stepCandidate(s.candidates, s.currentCandidate, -1) !== null,
    perform: (c) => {
      const i = stepCandidate(c.state.candidates, c.state.currentCandidate, -1);
      if (i !== null) c.selectCandidate(i);
    },
  },
  {
    id: 'export.csv',
    label: 'Export the result as CSV',
    group: 'Result',
    keywords: ['download', 'save'],
    shortcut: { code: 'KeyE', mod: true, shift: true },
    enabled: (s) => s.hasResult,
    perform: (c) => c.exportResult('csv'),
  },
  {
    id: 'export.json',
    label: 'Export the result as JSON',
    group: 'Result',
    keywords: ['download', 'save'],
    enabled: (s) => s.hasResult,
    perform: (c) => c.exportResult('json'),
  },
  {
    id: 'schema.search',
    label: 'Search the schema',
    group: 'View',
    keywords: ['table', 'column', 'find'],
    shortcut: { code: 'KeyF', mod: true, shift: true },
    enabled: (s) => s.dbOpen,
    perform: (c) => c.focusSchemaSearch(),
  },
  {
    id: 'theme.toggle',
    label: 'Toggle dark mode',
    group: 'View',
    keywords: ['theme', 'light', 'dark', 'colors'],
    enabled: always,
    perform: (c) => c.setTheme(c.state.theme === 'dark' ? 'light' : 'dark'),
  },
  {
    id: 'theme.system',
    label: 'Follow the system theme',
    group: 'View',
    keywords: ['theme', 'os', 'auto'],
    enabled: always,
    perform: (c) => c.setTheme('system'),
  },
  {
    id: 'palette',
    label: 'Command palette',
    group: 'View',
    keywords: ['commands', 'actions'],
    shortcut: { code: 'KeyK', mod: true },
    enabled: always,
    perform: (c) => c.openPalette(),
  },
];

export function actionById(id: string): Action {
  const a = ACTIONS.find((x) => x.id === id);
  if (!a) throw new Error(`No action "${id}".`);
  return a;
}

/** The key event fields a shortcut reads. */
export interface KeyLike {
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function matches(s: Shortcut, e: KeyLike): boolean {
  const code = e.code === 'NumpadEnter' ? 'Enter' : e.code;
  return code === s.code && (e.ctrlKey || e.metaKey) === !!s.mod && e.shiftKey === !!s.shift && e.altKey === !!s.alt;
}

/** The action a key event triggers, if any. */
export function actionForKey(e: KeyLike): Action | null {
  return ACTIONS.find((a) => a.shortcut && matches(a.shortcut, e)) ?? null;
}

const KEY_NAMES: Record<string, string> = { Enter: 'Enter', BracketRight: ']', BracketLeft: '[' };

/** `Ctrl+Shift+D`, or `⌘⇧D` on a Mac. */
export function formatShortcut(s: Shortcut, mac = false): string {
  const key = KEY_NAMES[s.code] ?? s.code.replace(/^Key|^Digit/, '');
  if (mac) return `${s.mod ? '⌘' : ''}${s.alt ? '⌥' : ''}${s.shift ? '⇧' : ''}${key === 'Enter' ? '↩' : key}`;
  return [s.mod && 'Ctrl', s.alt && 'Alt', s.shift && 'Shift', key].filter(Boolean).join('+');
}
