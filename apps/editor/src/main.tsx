import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { prefetchesSettled } from './api-prefetch';
import { App } from './App';

// The opening page's data is usually in by the time the scripts have run; waiting a moment for
// it (never long) draws that page once, with its data, rather than a skeleton and then again.
void prefetchesSettled(200).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
