import { publicEventTypes, type Role } from '@showwire/protocol';
import { forbidden } from '../errors.js';

/** Who is calling, from a verified token (or everyone, when auth is off). */
export interface Principal {
  sub: string;
  role: Role;
  /** The shows the token names; null means every show (`["*"]`). */
  shows: ReadonlySet<string> | null;
  /** Epoch seconds; undefined when auth is off. */
  exp?: number;
  /** When the token was issued, and when its session began (refreshes keep the first sign-in's time). */
  iat?: number;
  authTime?: number;
  /**
   * Set only on the hub's own producers (alerts, summaries, notices, LiveKit webhooks, live
   * sessions) and on routes that write the hub's audit trail: never from a token.
   */
  hub?: true;
}

export const OPEN_PRINCIPAL: Principal = { sub: 'anonymous', role: 'admin', shows: null };

const READERS: ReadonlySet<Role> = new Set(['admin', 'staff', 'host', 'viewer']);
/** A `service` (a backend such as the shop) publishes to its shows and reads nothing. */
const PUBLISHERS: ReadonlySet<Role> = new Set(['admin', 'agent', 'service']);

export const coversShow = (p: Principal, show: string) => p.role === 'admin' || p.role === 'staff' || p.shows === null || p.shows.has(show);

/** The types a principal may read; null means all of them. */
export const readableTypes = (p: Principal): ReadonlySet<string> | null => (p.role === 'viewer' ? new Set(publicEventTypes) : null);

export function canRead(p: Principal, show: string): boolean {
  return READERS.has(p.role) && coversShow(p, show);
}

export function assertCanRead(p: Principal, show: string): void {
  if (!READERS.has(p.role)) throw forbidden(`role "${p.role}" cannot read streams or history`);
  if (!coversShow(p, show)) throw forbidden(`this token does not cover show "${show}"`);
}

export function assertCanPublish(p: Principal, show: string): void {
  if (!PUBLISHERS.has(p.role)) throw forbidden(`role "${p.role}" cannot publish events (agent, service or admin tokens can)`);
  if (!coversShow(p, show)) throw forbidden(`this token does not cover show "${show}"`);
}

export function assertRole(p: Principal, ...roles: Role[]): void {
  if (!roles.includes(p.role)) throw forbidden(`this needs one of the roles ${roles.join(', ')}; the token's role is "${p.role}"`);
}

/**
 * The shows and types a stream delivers: what was asked, intersected with what the token allows.
 * Asking for a show the token does not cover is an error (not a silent empty stream).
 */
export function streamScope(
  p: Principal,
  asked: { shows?: readonly string[]; types?: readonly string[] },
): { shows: ReadonlySet<string> | null; types: ReadonlySet<string> | null } {
  if (!READERS.has(p.role)) throw forbidden(`role "${p.role}" cannot read streams`);
  let shows: ReadonlySet<string> | null;
  if (asked.shows) {
    for (const s of asked.shows) if (!coversShow(p, s)) throw forbidden(`this token does not cover show "${s}"`);
    shows = new Set(asked.shows);
  } else {
    shows = p.role === 'admin' || p.role === 'staff' ? null : p.shows;
  }
  const allowed = readableTypes(p);
  let types: ReadonlySet<string> | null = asked.types ? new Set(asked.types) : null;
  if (allowed) {
    types = types ? new Set([...types].filter((t) => allowed.has(t))) : allowed;
    if (types.size === 0) throw forbidden(`a ${p.role} token may read only these types: ${[...allowed].join(', ')}`);
  }
  return { shows, types };
}
