import { controlActions, HOST_CONTROL_ACTIONS, type ShowCapabilities, type ShowState } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';

type LiveKitSettings = Pick<Config, 'LIVEKIT_URL' | 'LIVEKIT_API_KEY' | 'LIVEKIT_API_SECRET'>;

const livekitConfigured = (c: LiveKitSettings) => Boolean(c.LIVEKIT_URL && c.LIVEKIT_API_KEY && c.LIVEKIT_API_SECRET);

/**
 * What `principal` can do on `state`'s show now, and the first reason it cannot: the role decides
 * which controls exist for it (the control route enforces the same rule), then an ended show or a
 * hub without LiveKit leaves nothing that can work.
 */
export function showCapabilities(principal: Principal, state: Pick<ShowState, 'status'>, config: LiveKitSettings): ShowCapabilities {
  const livekit = livekitConfigured(config) ? 'configured' : 'unconfigured';
  const staff = principal.role === 'staff' || principal.role === 'admin';
  const byRole: readonly ShowCapabilities['actions'][number][] = staff ? controlActions : principal.role === 'host' ? HOST_CONTROL_ACTIONS : [];
  const blocked = state.status === 'ended' ? 'ended' : livekit === 'unconfigured' ? 'livekit_unconfigured' : undefined;
  const controlsBlocked = byRole.length === 0 ? 'role' : (blocked ?? (byRole.length < controlActions.length ? 'role' : undefined));
  const listenBlocked = staff ? blocked : 'role';
  return {
    livekit,
    actions: blocked ? [] : [...byRole],
    ...(controlsBlocked && { controlsBlocked }),
    listen: listenBlocked === undefined,
    ...(listenBlocked && { listenBlocked }),
  };
}
