/**
 * The console's top level: ask the daemon whether this browser has a
 * session; without one show the login page, with one the layout and the
 * page the hash names. A 401 from any call (the daemon restarted and
 * forgot its sessions) returns to the login page.
 */
import { Suspense, lazy, useEffect, useState } from 'react';
import { Bullseye, Spinner } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { onUnauthorized, setCsrfToken } from '../api/http.js';
import { consoleApi } from '../api/networks.js';
import { closeEvents } from '../api/events.js';
import { Login } from './Login.js';

const Console = lazy(() => import('./Console.js'));

type Auth = 'checking' | 'out' | 'in';

export function App() {
  const { t } = useTranslation();
  const [auth, setAuth] = useState<Auth>('checking');

  useEffect(() => {
    onUnauthorized(() => {
      closeEvents();
      setCsrfToken(undefined);
      setAuth('out');
    });
    consoleApi.session().then(
      (s) => {
        setCsrfToken(s.csrf);
        setAuth(s.authenticated ? 'in' : 'out');
      },
      () => setAuth('out'),
    );
  }, []);

  const loading = (
    <Bullseye style={{ minHeight: '50vh' }}>
      <Spinner aria-label={t('common.loading')} />
    </Bullseye>
  );
  if (auth === 'checking') return loading;
  if (auth === 'out') {
    return (
      <Login
        onLoggedIn={(csrf) => {
          setCsrfToken(csrf);
          setAuth('in');
        }}
      />
    );
  }
  return (
    <Suspense fallback={loading}>
      <Console
        onLogout={() => {
          closeEvents();
          setCsrfToken(undefined);
          setAuth('out');
        }}
      />
    </Suspense>
  );
}
