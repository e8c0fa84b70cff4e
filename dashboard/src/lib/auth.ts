import type { Role } from '@showwire/protocol';

export const TOKEN_KEY = 'showwire.token';

export interface Claims {
  sub: string;
  role: Role;
  shows: string[];
  exp?: number;
  /** When the token was issued: a refresh is timed from its lifetime. */
  iat?: number;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * The token the hub prints (`/?token=…`) is moved into sessionStorage and removed from the
 * address bar, so it is neither bookmarked, shared by copy-paste, nor sent as a Referer.
 * Returns the token to use and, when the URL carried one, the URL to replace it with.
 */
export function takeToken(href: string, storage: Store): { token: string | null; cleanUrl?: string } {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    return { token: fromUrl, cleanUrl: url.pathname + url.search + url.hash };
  }
  return { token: storage.getItem(TOKEN_KEY) };
}

/**
 * The token's claims, for choosing what to show (a host lands on its show). Not verified: the
 * hub checks every request, so a forged payload only changes which page opens first.
 */
export function decodeClaims(token: string | null): Claims | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const c = JSON.parse(json) as Partial<Claims>;
    if (typeof c.role !== 'string' || !Array.isArray(c.shows)) return undefined;
    return {
      sub: String(c.sub ?? ''),
      role: c.role,
      shows: c.shows.map(String),
      ...(typeof c.exp === 'number' && { exp: c.exp }),
      ...(typeof c.iat === 'number' && { iat: c.iat }),
    };
  } catch {
    return undefined;
  }
}

/** The one show a host token is for, when it names exactly one. */
export function onlyShow(claims: Claims | undefined): string | undefined {
  if (!claims || claims.shows.length !== 1 || claims.shows[0] === '*') return undefined;
  return claims.shows[0];
}

/** A host whose token names this show: its pages are the host's own (the studio), not the staff view. */
export const hostsShow = (claims: Claims | undefined, show: string) => claims?.role === 'host' && claims.shows.includes(show);

export const canSeeAll = (claims: Claims | undefined) => !claims || claims.shows.includes('*');

/** How far our clock may trail the hub's and still call a refused token "expired". */
const CLOCK_SLACK_S = 60;

/**
 * What the sign-in screen says when the hub refused the token (401) or its `exp` has passed.
 * The hub ends a stream at `exp` and answers 401 after it; our clock may differ from the hub's,
 * so an `exp` within a minute of now counts as the reason.
 */
export function signInReason(claims: Claims | undefined, nowSeconds: number): string {
  if (!claims) return 'The hub needs a sign-in to show this page.';
  if (claims.exp !== undefined && claims.exp <= nowSeconds + CLOCK_SLACK_S) {
    return 'Your session expired. Open a fresh dashboard link from the hub, or paste a new token, to keep watching.';
  }
  return 'The hub no longer accepts this sign-in (it may have been revoked, or the hub’s key changed). Sign in again.';
}

/** What App hands every page. */
export interface PageProps {
  token: string | null;
  claims: Claims | undefined;
  onSignOut: () => void;
  /** The hub refused the token (401): App shows the sign-in screen. */
  onUnauthorized?: () => void;
}
