import { z } from 'zod';
import { alertSeverities, controlActions } from './events.js';
import { showId } from './names.js';
import { openAlert } from './answers.js';

/** Bodies and answers of the supervision routes (docs/supervision.md). */

const alertId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be an alert id as alert_raised gave it');

/** `POST /api/shows/:show/alerts/:alertId/ack` */
export const alertParams = z.object({ show: showId, alertId });

/** `GET /api/alerts?severity=critical,warning&show=` */
export const alertsQuery = z.object({
  severity: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(alertSeverities, `must be ${alertSeverities.join(', ')} (comma-separated)`)).min(1))
    .optional(),
  show: showId.optional(),
});

/** One open alert with its show, as `GET /api/alerts` lists them (most urgent first). */
export const listedAlert = openAlert.extend({ show: z.string() });
export type ListedAlert = z.infer<typeof listedAlert>;
export const alertsResponse = z.object({ alerts: z.array(listedAlert) });
export type AlertsResponse = z.infer<typeof alertsResponse>;

/** `POST …/alerts/:alertId/ack` answer: who acknowledged, and the id of the `alert_acknowledged` event. */
export const alertAckResponse = z.object({ alertId: z.string(), by: z.string(), id: z.string() });

/** `POST /api/shows/:show/control`: `text` is what the agent says (required for `say`). */
export const controlBody = z
  .object({
    action: z.enum(controlActions),
    text: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters').optional(),
  })
  .refine((b) => b.action !== 'say' || b.text !== undefined, { path: ['text'], message: 'is required for action "say"' });
export type ControlBody = z.input<typeof controlBody>;

/** The answer of a control call: the outcome, and the id of the `control` event that audits it. */
export const controlResponse = z.object({
  action: z.enum(controlActions),
  ok: z.boolean(),
  error: z.string().optional(),
  /** The hub id of the published `control` event. */
  id: z.string(),
});
export type ControlResponse = z.infer<typeof controlResponse>;

/** The LiveKit RPC methods the agent registers (agent/src/controls.ts), named by control action. */
export const AGENT_RPC_METHODS = { say: 'say', pause: 'pause', resume: 'resume', end_agent: 'end_agent' } as const;

/** `POST /api/shows/:show/listen`: a hidden, subscribe-only LiveKit token. */
export const listenResponse = z.object({ token: z.string(), url: z.string(), roomName: z.string(), identity: z.string(), expiresAt: z.number() });
export type ListenResponse = z.infer<typeof listenResponse>;

/** One person watching a show's stream. */
export const watcher = z.object({
  sub: z.string(),
  role: z.string(),
  /** Epoch seconds when the first of their connections opened. */
  since: z.number(),
});
export type Watcher = z.infer<typeof watcher>;

/** `GET /api/shows/:show/presence`, and the id-less `presence` notice on the stream. */
export const presenceNotice = z.object({ type: z.literal('presence'), show: z.string(), watchers: z.array(watcher) });
export type PresenceNotice = z.infer<typeof presenceNotice>;

/** `POST /api/auth/refresh` answer. */
export const refreshResponse = z.object({
  token: z.string(),
  exp: z.number(),
  /** Epoch seconds after which the session can no longer be refreshed (HUB_SESSION_MAX_HOURS after first sign-in). */
  sessionExpiresAt: z.number(),
});
export type RefreshResponse = z.infer<typeof refreshResponse>;
