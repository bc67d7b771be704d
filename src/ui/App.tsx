import { useEffect } from 'react';
import { watchEditorChain } from '../state/editorScoring';
import { watchHistory } from '../state/historyWatch';
import { watchPractice } from '../state/practiceWatch';
import { useStudio } from '../state/store';
import { useTeaching } from '../state/teachingStore';
import { AnalystBanners } from './AnalystBanners';
import { CandidatesView } from './CandidatesView';
import { Comfort } from './Comfort';
import { DbToolbar } from './DbToolbar';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { ExerciseList } from './ExerciseList';
import { ExercisePanel } from './ExercisePanel';
import { HistoryPanel } from './HistoryPanel';
import { QuestionBox } from './QuestionBox';
import { ResultGrid } from './ResultGrid';
import { SchemaPanel } from './SchemaPanel';
import { SqlEditor } from './SqlEditor';
import { StepTimeline } from './StepTimeline';

export function App() {
  const schema = useStudio((s) => s.schema);
  useEffect(() => {
    document.title = 'CoCTE Studio';
  }, []);
  // Re-scores the editor's chain with the PRM after edits (once a question was answered).
  useEffect(() => watchEditorChain(), []);
  // Assesses the editor's chain against the open exercise's reference steps.
  useEffect(() => watchPractice(), []);
  // Keeps each chain run in the open database's history, and each database opened in Recent.
  useEffect(() => watchHistory(), []);
  const practising = useTeaching((t) => t.exercise !== null);
  return (
    <DropZone>
      <div className="studio">
        <DbToolbar />
        <ErrorBanner />
        <AnalystBanners />
        <div className="studio-body">
          <aside className="schema-pane" aria-label="Schema">{schema ? <SchemaPanel schema={schema} /> : <p className="muted">Opening…</p>}</aside>
          <main className="work-pane">
            <section className="editor-pane">
              <SqlEditor />
            </section>
            <section className="result-pane">
              <ResultGrid />
            </section>
          </main>
          <aside className="steps-pane" aria-label="Steps">
            {practising ? (
              <ExercisePanel />
            ) : (
              <>
                <QuestionBox />
                <CandidatesView />
              </>
            )}
            <StepTimeline />
          </aside>
        </div>
      </div>
      <ExerciseList />
      <HistoryPanel />
      <Comfort />
    </DropZone>
  );
}
