import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { useStudio } from './state/store';
import './ui/studio.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

void useStudio.getState().openSample(new URLSearchParams(location.search).get('sample') ?? 'chinook');
