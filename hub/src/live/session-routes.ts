import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  liveSessionParams,
  liveSessionStartBody,
  liveSessionStartResponse,
  liveSessionStopBody,
  liveSessionStopResponse,
  liveSessionsActiveResponse,
} from '@showwire/protocol';
import { coversShow, type Principal } from '../auth/access.js';
import { whenExpired } from '../auth/expiry.js';
import { forbidden, notFound } from '../errors.js';
import { createLiveSessions } from '../live/session-manager.js';
import { errorResponses, nonJson } from '../openapi.js';

/** Who may run and watch a room's live session: staff, admin, or a host whose token names the show. */
function assertCanWatch(p: Principal, room: string): void {
  if (p.role === 'admin' || p.role === 'staff') return;
  if (p.role !== 'host') throw forbidden(`role "${p.role}" cannot use live sessions (staff, admin, or the show's host can)`);
  if (!coversShow(p, room)) throw forbidden(`this host token does not cover show "${room}"`);
}

/**
 * The live-sessions guide: start/stop a server-side participant in a room, list the running
 * ones, and watch one over WebSocket (binary JPEG frames; text `audio:` + base64 16-bit PCM,
 * mono 48 kHz). Browsers can't set headers on a WebSocket, so it takes `?access_token=` like SSE.
 */
export const liveSessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config, metrics, publish } = app.hub;
  const sessions = createLiveSessions({ config, publish, registry: metrics.registry, logger: app.log, keepRecording: (dir, files) => app.hub.recordingStorage.keep(dir, files) });
  // On close (SIGTERM drain included) every session stops and its recording is finished.
  app.addHook('onClose', async () => sessions.close());

  app.post(
    '/api/live-sessions/start',
    { schema: { body: liveSessionStartBody, response: { 200: liveSessionStartResponse, ...errorResponses } } },
    async (req) => {
      assertCanWatch(await req.principal(), req.body.room_name);
      const s = await sessions.start(req.body.room_name, req.body.record_session);
      return { success: true as const, room_name: s.room_name, participant_sid: s.participant_sid, session_id: s.id, record_session: s.record_session };
    },
  );

  app.post('/api/live-sessions/stop', { schema: { body: liveSessionStopBody, response: { 200: liveSessionStopResponse, ...errorResponses } } }, async (req) => {
    assertCanWatch(await req.principal(), req.body.room_name);
    await sessions.stop(req.body.room_name);
    return { success: true as const, room_name: req.body.room_name };
  });

  app.get('/api/live-sessions/active', { schema: { response: { 200: liveSessionsActiveResponse, ...errorResponses } } }, async (req) => {
    const p = await req.principal();
    if (p.role !== 'admin' && p.role !== 'staff' && p.role !== 'host') throw forbidden(`role "${p.role}" cannot use live sessions (staff, admin, or the show's host can)`);
    const visible = sessions.active().filter((s) => coversShow(p, s.room_name));
    return { active_sessions: Object.fromEntries(visible.map((s) => [s.room_name, s])), count: visible.length };
  });

  app.get(
    '/api/live-sessions/ws/live/:roomName',
    {
      websocket: true,
      schema: {
        params: liveSessionParams,
        response: { 101: nonJson('application/octet-stream', 'WebSocket: binary messages are JPEG frames, text messages `audio:` + base64 16-bit PCM'), ...errorResponses },
      },
      // Refused before the upgrade, so the client gets a plain 401/403/404 in the hub's error shape.
      preValidation: async (req) => {
        const { roomName } = req.params;
        assertCanWatch(await req.principal(), roomName);
        if (!sessions.has(roomName)) throw notFound(`no live session is running in room "${roomName}"; POST /api/live-sessions/start first`);
      },
    },
    (socket, req) => {
      const unwatch = sessions.watch(req.params.roomName, socket);
      // A watcher must not outlive its token, as an SSE stream does not: closed at its `exp`
      // (1008, "token expired"); the client reconnects with a fresh one. The principal is the
      // one preValidation resolved (cached on the request).
      let unexpire = () => {};
      void req.principal().then((p) => {
        if (p.exp !== undefined && socket.readyState === socket.OPEN) unexpire = whenExpired(p.exp, () => socket.close(1008, 'token expired'));
      });
      socket.on('close', () => {
        unwatch();
        unexpire();
      });
      // Viewers only listen; anything they send is ignored.
      socket.on('message', () => {});
    },
  );
};
