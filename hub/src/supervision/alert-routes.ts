import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { alertParams, alertsQuery, type AlertsResponse, type ListedAlert } from '@showwire/protocol';
import { canRead, coversShow, type Principal } from '../auth/access.js';
import { rankAlerts } from '../alerts/alert-engine.js';
import { forbidden, HttpError, notFound } from '../errors.js';
import { alertAckResponse, alertsResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';

/** Who may see and acknowledge a show's alerts: staff and admin on every show, a host on its own. */
function assertSupervises(p: Principal, show: string): void {
  if (p.role !== 'admin' && p.role !== 'staff' && p.role !== 'host') {
    throw forbidden(`role "${p.role}" cannot handle alerts (staff, admin, or a host for its own show, can)`);
  }
  if (!coversShow(p, show)) throw forbidden(`this token does not cover show "${show}"`);
}

/** The open alerts across shows, and acknowledging one. Alerts themselves come from alerts/alert-engine.ts. */
export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;

  app.get('/api/alerts', { schema: { querystring: alertsQuery, response: { 200: alertsResponse, ...errorResponses } } }, async (req): Promise<AlertsResponse> => {
    const principal = await req.principal();
    if (principal.role !== 'admin' && principal.role !== 'staff' && principal.role !== 'host') {
      throw forbidden(`role "${principal.role}" cannot list alerts (staff, admin or host can)`);
    }
    const { severity, show } = req.query;
    if (show !== undefined && !coversShow(principal, show)) throw forbidden(`this token does not cover show "${show}"`);
    const wanted = severity && new Set(severity);
    const alerts: ListedAlert[] = [];
    for (const state of show === undefined ? hub.shows.list() : [hub.shows.get(show)].filter((s) => s !== undefined)) {
      if (!canRead(principal, state.show)) continue;
      for (const a of state.alerts) if (!wanted || wanted.has(a.severity)) alerts.push({ ...a, show: state.show });
    }
    return { alerts: rankAlerts(alerts) };
  });

  app.post('/api/shows/:show/alerts/:alertId/ack', { schema: { params: alertParams, response: { 201: alertAckResponse, ...errorResponses } } }, async (req, reply) => {
    const principal = await req.principal();
    const { show, alertId } = req.params;
    assertSupervises(principal, show);
    const alert = hub.shows.get(show)?.alerts.find((a) => a.alertId === alertId);
    if (!alert) throw notFound(`alert "${alertId}" is not open on show "${show}" (it never was, or it has resolved)`);
    if (alert.acknowledged) {
      throw new HttpError('already_acknowledged', `alert "${alertId}" was acknowledged by ${alert.acknowledged.by} at ${new Date(alert.acknowledged.at * 1000).toISOString()}`);
    }
    // Written by the hub (a hub-only type), in the acknowledger's name.
    const { ids } = await hub.publish([{ type: 'alert_acknowledged', show, alertId, by: principal.sub }], { ...principal, hub: true });
    reply.code(201);
    return { alertId, by: principal.sub, id: ids[0]! };
  });
};
