import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coversShow, type Principal } from '../auth/access.js';
import { findToken } from '../auth/plugin.js';
import { mintToken as mintHubToken } from '../auth/tokens.js';
import { forbidden, HttpError } from '../errors.js';
import type { LiveKitRole } from './client.js';

/**
 * Who may act as a show's host on LiveKit (host tokens, room metadata, ending a room, agent
 * dispatch): an admin, or a host whose token names that show (or `*`).
 */
export function assertCanHost(p: Principal, room: string): void {
  if (p.role === 'admin') return;
  if (p.role !== 'host') throw forbidden(`role "${p.role}" cannot manage LiveKit rooms (admin, or a host for its own show, can)`);
  if (!coversShow(p, room)) throw forbidden(`this host token does not cover show "${room}"`);
}

/** Identities of the hub's own participants (live sessions, ...): never given to a token request. */
const HUB_IDENTITY_PREFIX = 'showwire-';
/** The participant attribute that says which token owns an identity (a digest of its `sub`). */
const OWNER_ATTRIBUTE = 'showwire.owner';
const ownerTag = (sub: string) => createHash('sha256').update(sub).digest('base64url').slice(0, 16);

interface RoomIdentity {
  identity: string;
  /** The display name the caller asked for. */
  name: string;
  /** The owner's digest, carried as OWNER_ATTRIBUTE on the LiveKit token. */
  owner: string;
}

/**
 * The identity a token request gets; identities are the hub's to give. LiveKit disconnects a
 * participant when another joins under its identity, and the hub's carts and reservations
 * belong to a token's `sub`, so a name a caller merely asks for must not become either:
 * - a host token needs an admin, or a host of that show, and they choose the identity;
 * - a viewer token for a viewer's own hub token keeps that token's `sub` (its cart stays its);
 * - anyone else (anonymous, other roles) gets a new unique `viewer-…` identity, and
 *   `participantName` is only the display name.
 * A chosen identity may not use the hub's prefix, nor be one that a participant in the room holds
 * under another owner (asked of LiveKit's room service).
 */
export async function identityFor(app: FastifyInstance, req: FastifyRequest, room: string, requested: string, role: LiveKitRole): Promise<RoomIdentity> {
  // Anonymous callers are welcome for viewer tokens; a token that is sent must be valid.
  const caller = app.hub.config.HUB_AUTH === 'off' || findToken(req) !== undefined ? await req.principal() : undefined;
  if (role === 'host') assertCanHost(caller ?? (await req.principal()), room);
  const chooses = caller && (caller.role === 'admin' || (caller.role === 'host' && coversShow(caller, room)));
  let identity: string;
  if (chooses) identity = requested;
  else if (caller?.role === 'viewer' && coversShow(caller, room)) identity = caller.sub;
  else {
    identity = `viewer-${randomBytes(12).toString('base64url')}`;
    return { identity, name: requested, owner: ownerTag(identity) };
  }
  const owner = ownerTag(caller.sub);
  if (identity.startsWith(HUB_IDENTITY_PREFIX)) {
    throw forbidden(`identity "${identity}" is reserved: identities starting "${HUB_IDENTITY_PREFIX}" are the hub's own participants`);
  }
  const present = await participantsOf(app, room);
  const holder = present.find((p) => p.identity === identity);
  if (holder && holder.attributes[OWNER_ATTRIBUTE] !== owner) {
    throw new HttpError('identity_in_use', `identity "${identity}" is in room "${room}" under another token; choose another participantName`);
  }
  return { identity, name: requested, owner };
}

/** The room's participants; a room LiveKit does not have (yet) has none. */
async function participantsOf(app: FastifyInstance, room: string) {
  try {
    return await app.livekit().call('listParticipants', (c) => c.rooms.listParticipants(room));
  } catch (error) {
    if (error instanceof HttpError && error.code === 'not_found') return [];
    throw error;
  }
}

/**
 * A LiveKit token for `room` as the hub-given identity, and the hub token for the same show
 * (its `sub` is that identity): host role for hosts, viewer role (public event types only) for
 * viewers. Both expire together.
 */
export async function issueTokens(app: FastifyInstance, room: string, who: RoomIdentity, role: LiveKitRole) {
  const lk = app.livekit();
  const ttlSeconds = app.hub.config.LIVEKIT_TOKEN_TTL_SECONDS;
  const { identity } = who;
  const token = await lk.mintToken({ room, identity, name: who.name, role, ttlSeconds, attributes: { [OWNER_ATTRIBUTE]: who.owner } });
  const hub = await mintHubToken(app.tokenKey, { sub: identity, role, shows: [room] }, ttlSeconds);
  return { token, url: lk.url, roomName: room, identity, role, hubToken: hub.token, expiresAt: hub.exp };
}
