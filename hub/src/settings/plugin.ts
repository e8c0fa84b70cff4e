import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { RoomServiceClient } from 'livekit-server-sdk';
import { configUpdate, configView, DEFAULT_SHOW } from '@showwire/protocol';
import { assertRole } from '../auth/access.js';
import { badRequest } from '../errors.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { settingsDocs } from './api-docs.js';
import { errorResponses } from '../openapi.js';

/** New LiveKit credentials are tried with one call to the server; a wrong key or secret is refused there. */
async function tryLiveKit(url: string, key: string, secret: string, timeoutMs: number): Promise<string | undefined> {
  const rooms = new RoomServiceClient(url, key, secret, { requestTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)), failover: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([rooms.listRooms(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    return undefined;
  } catch (error) {
    // LiveKit's refusal quotes the token it was sent: a JWT is no business of the answer.
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<token>').slice(0, 300);
  } finally {
    clearTimeout(timer);
  }
}

async function writableDirectory(dir: string): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The live-sessions guide's `GET`/`PUT /api/config` (admin): the LiveKit URL, key and secret and
 * the recording directory. A change is checked before it is kept (the LiveKit credentials tried
 * against that server, the directory made and written to), then stored (the data dir, or Redis
 * so every hub applies it) and audited as `config_changed` on the `default` show, naming what
 * changed, never a value.
 */
export const settingsPlugin: FastifyPluginAsyncZod = async (app) => {
  documentRoutes(app, 'Settings', settingsDocs);
  const { hub } = app;
  const settings = hub.settings;

  app.get('/api/config', { schema: { response: { 200: configView, ...errorResponses } } }, async (req) => {
    assertRole(await req.principal(), 'admin');
    return settings.view();
  });

  app.put('/api/config', { schema: { body: configUpdate, response: { 200: configView, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    assertRole(principal, 'admin');
    const update = req.body;
    const next = settings.candidate(update);
    const touchesLiveKit = update.livekit_url !== undefined || update.livekit_api_key !== undefined || update.livekit_api_secret !== undefined;
    if (touchesLiveKit && (next.livekit_url || next.livekit_api_key || next.livekit_api_secret)) {
      const missing = (['livekit_url', 'livekit_api_key', 'livekit_api_secret'] as const).filter((n) => !next[n]);
      if (missing.length) throw badRequest(missing.map((n) => ({ path: n, message: 'LiveKit needs a URL, a key and a secret together; this one would be unset' })));
      const refused = await tryLiveKit(next.livekit_url!, next.livekit_api_key!, next.livekit_api_secret!, hub.config.LIVEKIT_TIMEOUT_MS);
      if (refused) throw badRequest([{ path: 'livekit_api_secret', message: `LiveKit at ${next.livekit_url} did not accept these settings: ${refused}` }], 'LiveKit settings not accepted');
    }
    if (update.recording_directory) {
      const problem = await writableDirectory(update.recording_directory);
      if (problem) throw badRequest([{ path: 'recording_directory', message: `cannot write there: ${problem}` }]);
    }
    const changed = await settings.update(update);
    if (changed.length) {
      await hub.publish([{ type: 'config_changed', show: DEFAULT_SHOW, changed, by: principal.sub }], { ...principal, hub: true });
    }
    return settings.view();
  });
};
