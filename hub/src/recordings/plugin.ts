import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordingList, recordingParams, recordingShowParams, type RecordingEntry } from '@showwire/protocol';
import { assertCanRead, type Principal } from '../auth/access.js';
import { forbidden, HttpError, notFound } from '../errors.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { recordingDocs } from './api-docs.js';
import { errorResponses, nonJson } from '../openapi.js';
import type { Recording } from './catalogue.js';

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
 * `Range` (a `<video>` seeks), under the show's access rules: from this hub's disk when it
 * recorded it, else from the S3-compatible store. GET takes `?access_token=`, so a `<video src>`
 * or a plain link works.
 */
export const recordingsPlugin: FastifyPluginAsyncZod = async (app) => {
  documentRoutes(app, 'Recordings', recordingDocs);
  const { hub } = app;
  const storage = hub.recordingStorage;
  await app.register(fastifyStatic, { root: storage.dir, serve: false });

  app.get('/api/shows/:show/recordings', { schema: { params: recordingShowParams, response: { 200: recordingList, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    assertMayHave(principal, req.params.show);
    return { recordings: hub.recordings.list(req.params.show, storage.keptSince()).map(entryOf) };
  });

  app.get(
    '/api/recordings/:id',
    { schema: { params: recordingParams, response: { 200: nonJson('video/mp4', 'The file (MP4 video, WAV audio or the Matroska original); honours Range'), ...errorResponses } } },
    async (req, reply) => {
      const principal = await req.principal();
      const { id } = req.params;
      const found = hub.recordings.file(id);
      if (!found || found.recording.receivedAt < storage.keptSince()) throw notFound(`no recording file "${id}"`);
      assertMayHave(principal, found.recording.show);
      reply.header('content-type', found.file.contentType).header('content-disposition', `inline; filename="${id}"`).header('accept-ranges', 'bytes');
      const local = await stat(join(storage.dir, id)).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
      if (local !== undefined) {
        assertSatisfiable(req.headers.range, local);
        return reply.sendFile(id, storage.dir, { cacheControl: false, acceptRanges: true });
      }
      if (storage.s3) {
        assertSatisfiable(req.headers.range, found.file.size);
        const object = await storage.s3.get(id, req.headers.range);
        if (object) {
          reply.code(object.status);
          if (object.contentLength !== undefined) reply.header('content-length', object.contentLength);
          if (object.contentRange) reply.header('content-range', object.contentRange);
          return reply.send(object.body);
        }
      }
      throw notFound(
        storage.s3
          ? `recording file "${id}" is neither on this hub nor in the recordings store`
          : `recording file "${id}" is not on this hub (it was recorded on another); set HUB_RECORDINGS_S3_URL so every hub can serve every recording`,
      );
    },
  );
};
