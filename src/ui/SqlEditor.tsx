import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef } from 'react';
import { useStudio } from '../state/store';
import { currentTheme, useUi } from '../state/uiStore';
import { ActionButton } from './ActionButton';
import { monaco, setCompletionSchema } from './monacoSetup';

type Ed = Parameters<OnMount>[0];

/**
 * Monaco holding the composed CoCTE query, in the studio's theme. Typing re-splits and re-runs (debounced); Run and
 * Decompose are registered actions (src/state/actions.ts), with their shortcuts.
 */
export function SqlEditor() {
  const sqlVersion = useStudio((s) => s.sqlVersion);
  const schema = useStudio((s) => s.schema);
  const selected = useStudio((s) => s.selectedStep);
  const trajectory = useStudio((s) => s.trajectory);
  const parseWarning = useStudio((s) => s.parseWarning);
  const running = useStudio((s) => s.running);
  const theme = useUi(currentTheme);
  const editorRef = useRef<Ed | null>(null);
  const decorations = useRef<string[]>([]);

  useEffect(() => setCompletionSchema(schema), [schema]);

  // The store replaced the text (sample, Decompose): push it into the editor.
  useEffect(() => {
    const ed = editorRef.current;
    const text = useStudio.getState().sql;
    if (ed && ed.getValue() !== text) ed.setValue(text);
  }, [sqlVersion]);

  // Highlight the selected step's CTE in the editor.
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || selected === null || !trajectory) return;
    const name = selected < trajectory.steps.length ? trajectory.steps[selected]!.name : null;
    const model = ed.getModel();
    if (!model) return;
    const text = model.getValue();
    const at = name ? text.search(new RegExp(`(^|\\n)\\s*${escapeRe(name)}\\s*(\\(|AS\\b)`, 'i')) : text.search(/\n(?=[^\n]*SELECT)[^\n]*$/);
    if (at < 0) return;
    const start = model.getPositionAt(at + (text[at] === '\n' ? 1 : 0));
    decorations.current = ed.deltaDecorations(decorations.current, [
      { range: new monaco.Range(start.lineNumber, 1, start.lineNumber, 1), options: { isWholeLine: true, className: 'step-highlight' } },
    ]);
    ed.revealLineInCenterIfOutsideViewport(start.lineNumber);
  }, [selected, trajectory]);

  const onMount: OnMount = (ed) => {
    editorRef.current = ed;
    ed.setValue(useStudio.getState().sql);
    ed.onDidChangeModelContent(() => {
      const text = ed.getValue();
      if (text !== useStudio.getState().sql) useStudio.getState().setSql(text, true);
    });
    (window as unknown as { __cocteEditor?: Ed }).__cocteEditor = ed;
  };

  return (
    <div className="editor">
      <div className="editor-bar">
        <ActionButton id="run" className="primary">
          ▶ Run
        </ActionButton>
        <ActionButton id="decompose">Decompose</ActionButton>
        <span className="muted">{running ? 'Running…' : `${trajectory ? trajectory.steps.length + 1 : 0} steps`}</span>
        {parseWarning && <span className="warn">{parseWarning}</span>}
      </div>
      <div className="editor-host" data-testid="editor">
        <Editor
          defaultLanguage="sql"
          theme={theme === 'dark' ? 'vs-dark' : 'vs'}
          onMount={onMount}
          options={{ minimap: { enabled: false }, fontSize: 13, wordWrap: 'on', scrollBeyondLastLine: false, automaticLayout: true, tabSize: 2 }}
        />
      </div>
    </div>
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
