/** Monaco from the package (no CDN): the core editor, the SQL tokenizer, and its worker. */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/languages/definitions/sql/register';
// The editor features a SQL editor needs (the core entry is tree-shaken and has none of them).
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard';
import 'monaco-editor/editor/contrib/comment/browser/comment';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo';
import 'monaco-editor/features/find/register';
import 'monaco-editor/editor/contrib/folding/browser/folding';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import type { SchemaInfo } from '../core/types';

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

const SQL_KEYWORDS = ('SELECT FROM WHERE GROUP BY HAVING ORDER LIMIT OFFSET JOIN LEFT INNER CROSS ON USING AS WITH DISTINCT ' +
  'UNION INTERSECT EXCEPT ALL AND OR NOT IN EXISTS BETWEEN LIKE IS NULL CASE WHEN THEN ELSE END ASC DESC COUNT SUM AVG MIN MAX').split(' ');

let currentSchema: SchemaInfo | null = null;

/** Schema-aware completion: tables, columns (as `col` and `table.col`) and keywords. */
export function setCompletionSchema(schema: SchemaInfo | null): void {
  currentSchema = schema;
}

monaco.languages.registerCompletionItemProvider('sql', {
  triggerCharacters: ['.', ' '],
  provideCompletionItems(model, position) {
    const word = model.getWordUntilPosition(position);
    const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
    const K = monaco.languages.CompletionItemKind;
    const before = model.getLineContent(position.lineNumber).slice(0, word.startColumn - 1);
    const qualifier = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(before)?.[1]?.toLowerCase();
    const tables = currentSchema?.tables ?? [];
    if (qualifier) {
      const target = aliasesIn(model.getValue()).get(qualifier) ?? qualifier;
      const t = tables.find((x) => x.name.toLowerCase() === target);
      const cols = t ? t.columns.map((c) => ({ col: c, table: t.name })) : tables.flatMap((x) => x.columns.map((c) => ({ col: c, table: x.name })));
      return { suggestions: cols.map(({ col, table }) => ({ label: col.name, kind: K.Field, detail: `${table} · ${col.type}`, insertText: col.name, range })) };
    }
    return {
      suggestions: [
        ...tables.map((t) => ({ label: t.name, kind: K.Class, detail: `${t.kind} · ${t.rowCount} rows`, insertText: t.name, range })),
        ...tables.flatMap((t) => t.columns.map((c) => ({ label: c.name, kind: K.Field, detail: `${t.name} · ${c.type}`, insertText: c.name, range }))),
        ...SQL_KEYWORDS.map((k) => ({ label: k, kind: K.Keyword, insertText: k, range })),
      ],
    };
  },
});

/** `FROM Track AS t`, `JOIN Genre g`: alias (lower-case) -> table (lower-case). */
function aliasesIn(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:FROM|JOIN)\s+("[^"]+"|\[[^\]]+\]|[A-Za-z_][\w$]*)\s+(?:AS\s+)?([A-Za-z_][\w$]*)/gi;
  const reserved = /^(WHERE|JOIN|ON|USING|GROUP|ORDER|LIMIT|LEFT|INNER|CROSS|NATURAL|UNION|EXCEPT|INTERSECT|HAVING|WINDOW)$/i;
  for (const m of text.matchAll(re)) {
    if (reserved.test(m[2]!)) continue;
    out.set(m[2]!.toLowerCase(), m[1]!.replace(/^["[]|["\]]$/g, '').toLowerCase());
  }
  return out;
}

export { monaco };
