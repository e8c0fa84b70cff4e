import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordingList, recordingParams, recordingShowParams, type RecordingEntry } from '@showwire/protocol';
import { assertCanRead, type Principal } from '../auth/access.js';
import { forbidden, HttpError, notFound } from '../errors.js';
import { errorResponses, nonJson } from '../openapi.js';
import { recordingsDir, type Recording } from './catalogue.js';
import { startRecordingRetention } from './retention.js';

/**
 * A Range that starts past the end gets 416 with `Content-Range: bytes *\/size` (what a player
 * needs to recover); `send` finds it too, but its answer loses that header on the way out.
 */
function assertSatisfiable(range: string | undefined, size: number): void {
  const start = range && /^bytes=(\d+)-/.exec(range)?.[1];
  if (start && Number(start) >= size) {
    throw new HttpError('range_not_satisfiable', `range "${range}" starts past the end of the file (${size} bytes)`, undefined, { 'Content-Range': `bytes */${size}` });
  }
}

/** A recording is the show's private record, like its transcript: hosts, staff and admins. */
function assertMayHave(principal: Principal, show: string): void {
  if (principal.role === 'viewer') throw forbidden('a viewer token cannot fetch recordings (hosts, staff and admins can)');
  assertCanRead(principal, show);
}

const entryOf = (r: Recording): RecordingEntry => ({ ...r, files: r.files.map((f) => ({ ...f, url: `/api/recordings/${encodeURIComponent(f.id)}` })) });

/**
 * `GET /api/shows/:show/recordings` lists a show's recordings (from the log's `recording_ready`
 * events, so every hub lists every hub's), and `GET /api/recordings/:id` serves one file with
 * `Range` (a `<video>` seeks), under the show's access rules; GET takes `?access_token=`, so a
 * `<video src>` or a plain link works. HUB_RECORDINGS_RETENTION_DAYS deletes old ones.
 */
export const recordingsPlugin: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const dir = recordingsDir(hub.config);
  mkdirSync(dir, { recursive: true });
  await app.register(fastifyStatic, { root: dir, serve: false });
  const days = hub.config.HUB_RECORDINGS_RETENTION_DAYS;
  const stopRetention = startRecordingRetention(dir, days, app.log);
  app.addHook('onClose', async () => stopRetention());
  const keptSince = () => (days > 0 ? Date.now() / 1000 - days * 86_400 : 0);

  app.get('/api/shows/:show/recordings', { schema: { params: recordingShowParams, response: { 200: recordingList, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    assertMayHave(principal, req.params.show);
    return { recordings: hub.recordings.list(req.params.show, keptSince()).map(entryOf) };
  });

  app.get(
    '/api/recordings/:id',
    { schema: { params: recordingParams, response: { 200: nonJson('video/mp4', 'The file (MP4 video, WAV audio or the Matroska original); honours Range'), ...errorResponses } } },
    async (req, reply) => {
      const principal = await req.principal();
      const { id } = req.params;
      const found = hub.recordings.file(id);
      if (!found || found.recording.receivedAt < keptSince()) throw notFound(`no recording file "${id}"`);
      assertMayHave(principal, found.recording.show);
      const size = await stat(join(dir, id)).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
      if (size === undefined) throw notFound(`recording file "${id}" is not on this hub (it was recorded on another, or deleted); set HUB_RECORDINGS_S3_URL so every hub can serve every recording`);
      assertSatisfiable(req.headers.range, size);
      reply.header('content-type', found.file.contentType).header('content-disposition', `inline; filename="${id}"`);
      return reply.sendFile(id, dir, { cacheControl: false, acceptRanges: true });
    },
  );
};
