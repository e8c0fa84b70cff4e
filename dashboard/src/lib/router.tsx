import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** Three pages need no router library: the path is the state, history.pushState changes it. */
export type Route = { page: 'wall' } | { page: 'show'; show: string } | { page: 'studio'; show: string } | { page: 'replay'; show: string } | { page: 'webhooks' } | { page: 'events' } | { page: 'search' } | { page: 'missing' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'wall' };
  if (pathname === '/webhooks') return { page: 'webhooks' };
  if (pathname === '/events') return { page: 'events' };
  if (pathname === '/search') return { page: 'search' };
  const m = /^\/shows\/([^/]+)\/?$/.exec(pathname);
  if (m) return { page: 'show', show: decodeURIComponent(m[1]!) };
  const studio = /^\/studio\/([^/]+)\/?$/.exec(pathname);
  if (studio) return { page: 'studio', show: decodeURIComponent(studio[1]!) };
  const r = /^\/shows\/([^/]+)\/replay\/?$/.exec(pathname);
  if (r) return { page: 'replay', show: decodeURIComponent(r[1]!) };
  return { page: 'missing' };
}

const NAVIGATE = 'showwire:navigate';

export function navigate(path: string, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return route;
}

/** A real link (middle-click, copy address work) that navigates in-page on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}

export const showPath = (show: string) => `/shows/${encodeURIComponent(show)}`;
export const studioPath = (show: string) => `/studio/${encodeURIComponent(show)}`;
export const replayPath = (show: string) => `/shows/${encodeURIComponent(show)}/replay`;

/** The address's `#…` part, kept current across in-page navigation and hash changes. */
export function useHash(): string {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    window.addEventListener('hashchange', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('hashchange', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return hash;
}

/** `#e<event id>`: a moment in a show's timeline (what an alert links to). */
export const momentOf = (hash: string) => /^#e((?:[a-z0-9]+-)?\d+)$/.exec(hash)?.[1];
