import type { FastifyInstance } from 'fastify';
import { coversShow, type Principal } from '../auth/access.js';
import { mintToken as mintHubToken } from '../auth/tokens.js';
import { forbidden } from '../errors.js';
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

/**
 * A LiveKit token for `room` as `identity`, and the hub token for the same show: host role for
 * hosts, viewer role (public event types only) for viewers. Both expire together.
 */
export async function issueTokens(app: FastifyInstance, room: string, identity: string, role: LiveKitRole) {
  const lk = app.livekit();
  const ttlSeconds = app.hub.config.LIVEKIT_TOKEN_TTL_SECONDS;
  const token = await lk.mintToken({ room, identity, role, ttlSeconds });
  const hub = await mintHubToken(app.tokenKey, { sub: identity, role, shows: [room] }, ttlSeconds);
  return { token, url: lk.url, roomName: room, identity, role, hubToken: hub.token, expiresAt: hub.exp };
}
