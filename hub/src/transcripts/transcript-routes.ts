import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { showParams, transcriptJson, transcriptQuery, type HubEvent, type TranscriptJson } from '@showwire/protocol';
import { assertCanRead } from '../auth/access.js';
import { forbidden, notFound } from '../errors.js';
import { speakerOf, toSrt, toTxt, toVtt, type ExportLine } from '../transcripts/export.js';
import { errorResponses } from '../openapi.js';

const CONTENT_TYPES = { txt: 'text/plain; charset=utf-8', vtt: 'text/vtt; charset=utf-8', srt: 'application/x-subrip; charset=utf-8', json: 'application/json; charset=utf-8' };

/**
 * `GET /api/shows/:show/transcript?format=txt|vtt|srt|json`: the show's final lines (interim
 * text never), read from the log (the show registry keeps only a tail), with speaker names and
 * times relative to the show's start. A download (`Content-Disposition: attachment`); GET takes
 * `?access_token=`, so a plain link downloads it.
 */
export const transcriptRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;

  app.get('/api/shows/:show/transcript', { schema: { params: showParams, querystring: transcriptQuery, response: { 200: transcriptJson, ...errorResponses } } }, async (req, reply) => {
    const principal = await req.principal();
    const { show } = req.params;
    if (principal.role === 'viewer') throw forbidden('a viewer token cannot read the transcript (hosts, staff and admins can)');
    assertCanRead(principal, show);
    const state = hub.shows.get(show);
    if (!state) throw notFound(`show "${show}" has no events yet`);
    const startedAt = state.startedAt ?? null;

    const lines: ExportLine[] = [];
    for (let after: string | undefined; ; ) {
      const page = await hub.log.read({ after, shows: [show], types: ['transcript'], limit: 5000 });
      for (const r of page) {
        const e = JSON.parse(r.json) as HubEvent & { text: string; final?: boolean; role?: 'user' | 'agent'; participant?: string };
        if (e.final === false) continue;
        const role = e.role ?? 'user';
        lines.push({
          id: e.id, at: Math.max(0, Math.round((e.timestamp - (startedAt ?? e.timestamp)) * 1000) / 1000), timestamp: e.timestamp,
          speaker: speakerOf(role, e.participant), role, ...(e.participant !== undefined && { participant: e.participant }), text: e.text,
        });
      }
      if (page.length < 5000) break;
      after = page.at(-1)!.id;
    }
    // Producers' clocks may disagree a little; subtitles need their cues in time order.
    lines.sort((a, b) => a.at - b.at);

    const { format } = req.query;
    reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${show}-transcript.${format}"`);
    if (format === 'json') return { show, startedAt, lines } satisfies TranscriptJson;
    // A string is sent as is (the response schema serializes the JSON format only).
    const text = format === 'vtt' ? toVtt(lines) : format === 'srt' ? toSrt(lines) : toTxt(lines);
    return reply.send(text as unknown as TranscriptJson);
  });
};
