/**
 * Hash routes, so the daemon serves one page and the browser's back button
 * works: #/networks, #/networks/NAME[/TAB], #/guests[/NAME], #/hosts, #/topology, #/health.
 * Names are percent-encoded (they may hold any character but '/').
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'networks' }
  | { page: 'network'; name: string; tab: string }
  | { page: 'guests'; guest?: string }
  | { page: 'hosts' }
  | { page: 'topology' }
  | { page: 'health' };

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
  if (parts[0] === 'guests') {
    if (parts[1] === undefined) return { page: 'guests' };
    let guest = parts[1];
    try {
      guest = decodeURIComponent(parts[1]);
    } catch {
      /* keep as typed */
    }
    return { page: 'guests', guest };
  }
  if (parts[0] === 'topology') return { page: 'topology' };
  if (parts[0] === 'health') return { page: 'health' };
  if (parts[0] === 'hosts') return { page: 'hosts' };
  return { page: 'networks' };
}

export function networkHref(name: string, tab?: string): string {
  return `#/networks/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

export function guestHref(name: string): string {
  return `#/guests/${encodeURIComponent(name)}`;
}

export function hostsHref(): string {
  return '#/hosts';
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
