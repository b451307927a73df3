// Two routes, history.pushState and a popstate listener: no router library needed.
import { useSyncExternalStore } from 'react';

export type Route = { name: 'landing' } | { name: 'room'; key: string } | { name: 'bad-room' };

export function parseRoute(pathname: string): Route {
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return { name: 'landing' };
  let key: string;
  try {
    key = decodeURIComponent(match[1]);
  } catch {
    return { name: 'bad-room' };
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(key) ? { name: 'room', key } : { name: 'bad-room' };
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
