import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { hasSharedLink, openSharedLink } from './state/share';
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
// A share link (#share=…) restores its question, chain and database; otherwise ?exercise=<id> opens that exercise
// (and its sample database); otherwise ?sample=<id>, or Chinook.
const exercise = params.get('exercise');
if (hasSharedLink(location.hash))
  void openSharedLink(location.hash).then((opened) => {
    if (!opened) void useStudio.getState().openSample(params.get('sample') ?? 'chinook');
  });
else if (exercise)
  void useTeaching.getState().start(exercise).then((ok) => {
    // An unknown id (the banner says so) or a failed open: the studio still opens a database.
    if (!ok && !useStudio.getState().dbName) void useStudio.getState().openSample('chinook');
  });
else void useStudio.getState().openSample(params.get('sample') ?? 'chinook');
