import type { Principal } from './access.js';

/**
 * Show-state fields only staff, hosts and admins see: what the agent heard and did, its errors and
 * its inner state, and the show's commerce figures (`story`: revenue, orders, carts). A viewer
 * gets what the show's public screen shows anyway (products, carousel, title, viewer counts).
 */
const PRIVATE_FIELDS = ['transcript', 'lastTranscript', 'actions', 'lastError', 'agentState', 'userState', 'lastAgentActivity', 'story', 'alerts', 'agentClosed'] as const;

/** A show's state (or its summary) as `principal` may see it. */
export function visibleState<T extends object>(principal: Principal, state: T): T {
  if (principal.role !== 'viewer') return state;
  const copy = { ...state } as Record<string, unknown>;
  for (const f of PRIVATE_FIELDS) delete copy[f];
  // The arrays stay (empty) so clients that read `state.transcript.length` keep working.
  if ('transcript' in state) copy.transcript = [];
  if ('actions' in state) copy.actions = [];
  if ('alerts' in state) copy.alerts = [];
  return copy as T;
}
