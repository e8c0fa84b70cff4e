import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { replayLink, searchAnswer, searchQuery, type SearchHit } from '@showwire/protocol';
import { streamScope, type Principal } from '../auth/access.js';
import { documentRoutes } from '../openapi/document-routes.js';
import { searchDocs } from './api-docs.js';
import { errorResponses } from '../openapi.js';
import type { Hub } from '../hub.js';
import { toFtsQuery } from './fts-query.js';
import { MARK_CLOSE, MARK_OPEN, type StoreHit } from './search-store.js';

/** `snippet()`'s marked text as parts, so no client has to render HTML from event text. */
function snippetParts(snippet: string): SearchHit['snippet'] {
  const parts: SearchHit['snippet'] = [];
  for (const m of snippet.matchAll(new RegExp(`${MARK_OPEN}([^${MARK_CLOSE}]*)${MARK_CLOSE}|[^${MARK_OPEN}]+`, 'g'))) {
    if (m[1] !== undefined) parts.push({ text: m[1], mark: true });
    else parts.push({ text: m[0] });
  }
  return parts;
}

/**
 * The shows a search may look in: what was asked (every asked show must be covered, as for a
 * stream), narrowed to the shows whose status is `status`. Null means every show.
 */
function showsToSearch(hub: Hub, principal: Principal, asked: readonly string[] | undefined, status: string | undefined) {
  const scope = streamScope(principal, { shows: asked });
  if (!status) return { shows: scope.shows && [...scope.shows], types: scope.types && [...scope.types] };
  const withStatus = hub.shows
    .list()
    .filter((s) => s.status === status && (scope.shows === null || scope.shows.has(s.show)))
    .map((s) => s.show);
  return { shows: withStatus, types: scope.types && [...scope.types] };
}

const toHit = (h: StoreHit): SearchHit => ({ ...h, snippet: snippetParts(h.snippet), link: replayLink(h.show, h.receivedAt, h.id) });

/**
 * `GET /api/search`: words across every show the token may read (history's rules: a host finds
 * only in its shows, a viewer only in public types), best match first, the matched words marked,
 * each result linking to the replay at its moment. Answers from this hub's own index (search.db).
 */
export const searchPlugin: FastifyPluginAsyncZod = async (app) => {
  documentRoutes(app, 'Search', searchDocs);
  const { hub } = app;

  app.get('/api/search', { schema: { querystring: searchQuery, response: { 200: searchAnswer, ...errorResponses } } }, async (req) => {
    const principal = await req.principal();
    const q = req.query;
    const match = toFtsQuery(q.q);
    const scope = showsToSearch(hub, principal, q.shows, q.status);
    let types = q.types ?? scope.types;
    if (q.types && scope.types) types = q.types.filter((t) => scope.types!.includes(t));
    if (scope.shows?.length === 0 || types?.length === 0) return { results: [], complete: true };
    const { hits, complete } = await hub.search.search({ match, shows: scope.shows, types: types ?? null, role: q.role, from: q.from, to: q.to, limit: q.limit });
    return { results: hits.map(toHit), complete };
  });
};
