import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { historyPage, historyQuery, type HistoryPage, showAnswer, showList, showParams } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';
import { assertCanRead, canRead, readableTypes } from '../auth/access.js';
import { visibleState } from '../auth/visibility.js';
import { forbidden, notFound } from '../errors.js';
import { showCapabilities } from '../shows/capabilities.js';
import { listItem } from '../shows/show-registry.js';

/** Show list, one show's live state, and its history, paged by id. */
export const showRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;

  app.get('/api/shows', { schema: { response: { 200: showList, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    if (principal.role === 'agent' || principal.role === 'service') throw forbidden(`role "${principal.role}" cannot read shows`);
    const shows = hub.shows
      .list()
      .filter((s) => canRead(principal, s.show))
      .map((s) => visibleState(principal, listItem(s)))
      .sort((a, b) => (b.lastActivity ?? 0) - (a.lastActivity ?? 0));
    return { shows };
  });

  app.get('/api/shows/:show', { schema: { params: showParams, response: { 200: showAnswer, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    assertCanRead(principal, req.params.show);
    const state = hub.shows.get(req.params.show);
    if (!state) throw notFound(`show "${req.params.show}" has no events yet`);
    // A viewer sees what the public screen shows: no transcript, no tool calls, no errors.
    return { ...visibleState(principal, state), capabilities: showCapabilities(principal, state, hub.config) };
  });

  app.get('/api/shows/:show/events', { schema: { params: showParams, querystring: historyQuery, response: { 200: historyPage, ...errorResponses } } }, async (req, reply) => {
    const principal = await req.principal();
    const { show } = req.params;
    assertCanRead(principal, show);
    const allowed = readableTypes(principal);
    let types = req.query.types;
    if (allowed) types = (types ?? [...allowed]).filter((t) => allowed.has(t));
    const records = types && types.length === 0 ? [] : await hub.log.read({ after: req.query.after, shows: [show], types, limit: req.query.limit });
    const truncated = req.query.after !== undefined && (await hub.log.prunedAfter(req.query.after, [show]));
    const next = records.length === req.query.limit ? records.at(-1)!.id : null;
    // The stored JSON is sent as is (a string skips the serializer): no parse and re-serialize per event.
    const page = `{"events":[${records.map((r) => r.json).join(',')}],"next":${JSON.stringify(next)},"truncated":${truncated}}`;
    return reply.type('application/json; charset=utf-8').send(page as unknown as HistoryPage);
  });
};
