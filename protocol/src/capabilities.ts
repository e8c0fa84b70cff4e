import { z } from 'zod';
import { controlActions } from './events.js';
import { showState } from './answers.js';

/**
 * What the signed-in principal can do on one show, as the hub knows it: pages show a control only
 * where it can work and otherwise say why, instead of letting a click fail.
 */

/** What a host may do on its own show; staff and admin may do every control everywhere. */
export const HOST_CONTROL_ACTIONS = ['say', 'pause', 'resume', 'end_agent'] as const satisfies ReadonlyArray<(typeof controlActions)[number]>;

/** Why a control (or listening in) cannot work; absent when it can. */
export const capabilityReasons = ['ended', 'not_yours', 'livekit_unconfigured', 'role'] as const;
export type CapabilityReason = (typeof capabilityReasons)[number];

export const showCapabilities = z.object({
  /** Whether this hub has LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET: controls and listen-in need them. */
  livekit: z.enum(['configured', 'unconfigured']),
  /** The control actions this principal may send to this show now. */
  actions: z.array(z.enum(controlActions)),
  /** Why `actions` is short of all of them (the first reason that applies), absent when nothing is missing. */
  controlsBlocked: z.enum(capabilityReasons).optional(),
  listen: z.boolean(),
  listenBlocked: z.enum(capabilityReasons).optional(),
});
export type ShowCapabilities = z.infer<typeof showCapabilities>;

/** `GET /api/shows/:show`: the show's live state and what the caller can do on it. */
export const showAnswer = showState.extend({ capabilities: showCapabilities });
export type ShowAnswer = z.infer<typeof showAnswer>;
