/**
 * The console's top level: ask the daemon whether this browser has a
 * session; without one show the login page, with one the layout and the
 * page the hash names. When a session ends (a 401 from any call), the
 * daemon is asked why, and the login page says it: logged out, unused too
 * long, the daemon's token changed, … A daemon that restarts ends no
 * session: the page waits for it and carries on.
 */
import { Suspense, lazy, useEffect, useState } from 'react';
import { Bullseye, Spinner } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { SessionEnd } from '../../../src/contract/console-api.js';
import { consoleApi, transport } from '../api/client.js';
import { Login } from './Login.js';

const Console = lazy(() => import('./Console.js'));

type Auth = { state: 'checking' } | { state: 'out'; ended?: SessionEnd | 'unreachable' } | { state: 'in' } | { state: 'leaving' };

export function App() {
  const { t } = useTranslation();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => {
    const signedOut = (ended?: SessionEnd | 'unreachable'): void => {
      transport.close();
      transport.setCsrf(undefined);
      setAuth(ended === undefined ? { state: 'out' } : { state: 'out', ended });
    };
    transport.onSessionEnded = () => {
      consoleApi.session().then(
        (s) => (s.authenticated ? undefined : signedOut(s.ended ?? 'invalid')),
        () => signedOut('unreachable'),
      );
    };
    consoleApi.session().then(
      (s) => {
        transport.setCsrf(s.csrf);
        if (s.authenticated) setAuth({ state: 'in' });
        else setAuth(s.ended === undefined ? { state: 'out' } : { state: 'out', ended: s.ended });
      },
      () => setAuth({ state: 'out', ended: 'unreachable' }),
    );
  }, []);

  // Logging out: the pages are gone first (their polls stop), the calls they had sent are answered,
  // and only then does the session end, so no call of theirs is refused with a 401 on the way out.
  useEffect(() => {
    if (auth.state !== 'leaving') return;
    void transport
      .settled()
      .then(() => consoleApi.logout())
      .finally(() => {
        transport.setCsrf(undefined);
        setAuth({ state: 'out', ended: 'logout' });
      });
  }, [auth.state]);

  const loading = (
    <Bullseye style={{ minHeight: '50vh' }}>
      <Spinner aria-label={t('common.loading')} />
    </Bullseye>
  );
  if (auth.state === 'checking' || auth.state === 'leaving') return loading;
  if (auth.state === 'out') {
    return (
      <Login
        {...(auth.ended !== undefined ? { ended: auth.ended } : {})}
        onLoggedIn={(csrf) => {
          transport.setCsrf(csrf);
          setAuth({ state: 'in' });
        }}
      />
    );
  }
  return (
    <Suspense fallback={loading}>
      <Console
        onLogout={() => {
          transport.close();
          setAuth({ state: 'leaving' });
        }}
      />
    </Suspense>
  );
}
