import type { FastifyInstance } from 'fastify';
import type { ApiTag } from './tags.js';

/** A route's summary (a few words) and description (who may call it, what it answers, notable errors). */
interface OperationDoc {
  summary: string;
  description: string;
}

/** Keyed by `METHOD /path` as the route is registered, e.g. `GET /api/shows/:show`. */
export type OperationDocs = Readonly<Record<string, OperationDoc>>;

/**
 * Tags every route the plugin registers from here on with its feature's section, and gives
 * each its summary and description. A hook rather than a field in every route: the tag is said
 * once per plugin, and the words stay beside the plugin without crowding its route table.
 * Call it first in the plugin; it covers the plugins it registers after.
 */
export function documentRoutes(app: FastifyInstance, tag: ApiTag, docs: OperationDocs): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.hide) return;
    const doc = [route.method].flat().map((m) => docs[`${m} ${route.url}`]).find(Boolean);
    // A new object, not a mutation: route schemas are often shared constants.
    route.schema = { ...route.schema, tags: [tag], ...doc };
  });
}
