import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  dispatchAgentBody,
  dispatchAgentResponse,
  liveRoomsResponse,
  roomEndedResponse,
  roomMetadataBody,
  roomMetadataResponse,
  roomParams,
  streamingTokenBody,
  streamingTokenResponse,
  uploadThumbnailBody,
  uploadThumbnailResponse,
  type LiveRoom,
  type RoomMetadata,
} from '@showwire/protocol';
import { errorResponses, nonJson } from '../openapi.js';
import { assertRole, type Principal } from '../auth/access.js';
import { assertCanHost, identityFor, issueTokens } from '../livekit/access.js';
import { dispatchAgent } from '../livekit/dispatch.js';
import { parseRoomMetadata } from '../livekit/show-events.js';
import { storeThumbnail, THUMBNAIL_NAME, thumbnailDir, thumbnailType } from '../livekit/thumbnails.js';
import { notFound } from '../errors.js';

/**
 * The live streaming doc's `/api/streaming/*`: LiveKit tokens, live rooms, room metadata,
 * ending a room, agent dispatch, thumbnails (and serving them at `/thumbnails/…`).
 */
export const streamingRoutes: FastifyPluginAsyncZod = async (app) => {
  const config = app.hub.config;
  const thumbs = thumbnailDir(config.HUB_DATA_DIR);

  // Viewer tokens are open to any caller (viewers join public shows, subscribe-only, and get a
  // viewer hub token for that one show); host tokens need an admin or a host of that show. The
  // identity is the hub's to give (livekit/access.ts `identityFor`).
  app.post('/api/streaming/token', { schema: { body: streamingTokenBody, response: { 200: streamingTokenResponse, ...errorResponses } } }, async (req) => {
    const { roomName, participantName } = req.body;
    const role = req.body.role ?? (req.body.isHost ? 'host' : 'viewer');
    return issueTokens(app, roomName, await identityFor(app, req, roomName, participantName, role), role);
  });

  // Public: the browse screen of the doc lists live shows before anyone has a token.
  app.get('/api/streaming/rooms', { schema: { response: { 200: liveRoomsResponse, ...errorResponses } } }, async () => {
    const rooms = await app.livekit().call('listRooms', (c) => c.rooms.listRooms());
    const out: LiveRoom[] = rooms.map((r) => {
      const metadata = parseRoomMetadata(r.metadata);
      return { roomName: r.name, metadata, ...metadata, numParticipants: r.numParticipants, creationTime: Number(r.creationTime) };
    });
    out.sort((a, b) => b.creationTime - a.creationTime || a.roomName.localeCompare(b.roomName));
    return { rooms: out };
  });

  app.put('/api/streaming/rooms/:roomName/metadata', { schema: { params: roomParams, body: roomMetadataBody, response: { 200: roomMetadataResponse, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    assertCanHost(principal, req.params.roomName);
    const metadata = await updateMetadata(app, principal, req.params.roomName, req.body);
    return { roomName: req.params.roomName, metadata };
  });

  app.post('/api/streaming/rooms/:roomName/end', { schema: { params: roomParams, response: { 200: roomEndedResponse, ...errorResponses } } }, async (req) => {
    assertCanHost(await req.principal(), req.params.roomName);
    const { roomName } = req.params;
    await requireRoom(app, roomName);
    // Deleting the room disconnects everyone; LiveKit then sends room_finished → show_ended.
    await app.livekit().call('deleteRoom', (c) => c.rooms.deleteRoom(roomName));
    return { roomName, ended: true as const };
  });

  app.post('/api/streaming/dispatch-agent', { schema: { body: dispatchAgentBody, response: { 201: dispatchAgentResponse, ...errorResponses } } }, async (req, reply) => {
    assertCanHost(await req.principal(), req.body.roomName);
    reply.code(201);
    return dispatchAgent(app, req.body);
  });

  const maxBytes = config.HUB_THUMBNAIL_MAX_BYTES;
  // Base64 is 4/3 of the image, plus room for a data URL prefix and the JSON around it.
  const bodyLimit = Math.ceil(maxBytes / 3) * 4 + 4096;
  app.post('/api/streaming/upload-thumbnail', { bodyLimit, schema: { body: uploadThumbnailBody, response: { 201: uploadThumbnailResponse, ...errorResponses } } }, async (req, reply) => {
    const principal = await req.principal();
    assertRole(principal, 'admin', 'host');
    if (req.body.roomName) assertCanHost(principal, req.body.roomName);
    const stored = storeThumbnail(thumbs, req.body.image, maxBytes);
    const thumbnailUrl = `/thumbnails/${stored.name}`;
    if (req.body.roomName) await updateMetadata(app, principal, req.body.roomName, { thumbnailUrl });
    reply.code(201);
    return { thumbnailUrl, contentType: stored.contentType, bytes: stored.bytes };
  });

  app.get('/thumbnails/:name', {
      schema: {
        params: z.object({ name: z.string().regex(THUMBNAIL_NAME, 'is not a thumbnail name') }),
        response: { 200: nonJson('image/*', 'The image (JPEG, PNG or WebP), public and immutable'), ...errorResponses },
      },
    }, async (req, reply) => {
    const { name } = req.params;
    const bytes = await readFile(join(thumbs, name)).catch(() => {
      throw notFound(`no thumbnail "${name}"`);
    });
    return reply
      .type(thumbnailType(name)!)
      .header('cache-control', 'public, max-age=31536000, immutable')
      // Embedded by shop pages on other sites; this overrides the shared same-origin default.
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(bytes);
  });
};

/** The live room, or 404 naming it (LiveKit would otherwise answer a vaguer error or nothing). */
async function requireRoom(app: FastifyInstance, roomName: string) {
  const [room] = await app.livekit().call('listRooms', (c) => c.rooms.listRooms([roomName]));
  if (!room) throw notFound(`LiveKit has no live room "${roomName}"`);
  return room;
}

/** Merges fields into the room's metadata on LiveKit and publishes `show_metadata` for the show. */
async function updateMetadata(app: FastifyInstance, principal: Principal, roomName: string, patch: RoomMetadata): Promise<RoomMetadata> {
  const room = await requireRoom(app, roomName);
  const metadata: RoomMetadata = { ...parseRoomMetadata(room.metadata), ...patch };
  await app.livekit().call('updateRoomMetadata', (c) => c.rooms.updateRoomMetadata(roomName, JSON.stringify(metadata)));
  // LiveKit sends no webhook for metadata changes, so the hub publishes the event itself (in the
  // caller's name: a host, who publishes no events of its own choosing).
  await app.hub.publish([{ type: 'show_metadata', show: roomName, ...metadata }], { ...principal, hub: true });
  return metadata;
}
