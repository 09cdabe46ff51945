/**
 * The console's entry point: PatternFly's base styles, the languages, then
 * the app. Everything past the login page is loaded on demand (App.tsx).
 */
import '@patternfly/react-core/dist/styles/base.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n/types.js';
import { initI18n } from './i18n/index.js';
import { App } from './app/App.js';

void initI18n().then(() => {
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
