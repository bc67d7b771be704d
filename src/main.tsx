import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { useStudio } from './state/store';
import { useTeaching } from './state/teachingStore';
import './ui/studio.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

const params = new URLSearchParams(location.search);
void useTeaching.getState().loadProgress();
// ?exercise=<id> opens that exercise (and its sample database); otherwise ?sample=<id>, or Chinook.
const exercise = params.get('exercise');
if (exercise)
  void useTeaching.getState().start(exercise).then((ok) => {
    // An unknown id (the banner says so) or a failed open: the studio still opens a database.
    if (!ok && !useStudio.getState().dbName) void useStudio.getState().openSample('chinook');
  });
else void useStudio.getState().openSample(params.get('sample') ?? 'chinook');
