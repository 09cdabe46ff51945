/**
 * Hash routes, so the daemon serves one page and the browser's back button
 * works: #/networks, #/networks/NAME[/TAB], #/guests, #/topology. Network
 * names are percent-encoded (they may hold any character but '/').
 */
import { useEffect, useState } from 'react';

export type Route = { page: 'networks' } | { page: 'network'; name: string; tab: string } | { page: 'guests' } | { page: 'topology' };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '');
  if (parts[0] === 'networks' && parts[1] !== undefined) {
    let name = parts[1];
    try {
      name = decodeURIComponent(parts[1]);
    } catch {
      /* keep as typed */
    }
    return { page: 'network', name, tab: parts[2] ?? 'overview' };
  }
  if (parts[0] === 'guests') return { page: 'guests' };
  if (parts[0] === 'topology') return { page: 'topology' };
  return { page: 'networks' };
}

export function networkHref(name: string, tab?: string): string {
  return `#/networks/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
