import type { ShowState } from '@showwire/protocol';
import { blockedText, type ShowAccess } from '../live/use-show-capabilities.js';

/**
 * Whether the host paused the agent: the last successful pause or resume in the show's control
 * audit (the agent keeps no pause state of its own in the log), and only since the agent last
 * closed — a new agent starts unpaused.
 */
export function agentPaused(state: Pick<ShowState, 'actions' | 'agentClosed'>): boolean {
  for (let i = state.actions.length - 1; i >= 0; i--) {
    const a = state.actions[i]!;
    if (state.agentClosed && a.timestamp < state.agentClosed.at) return false;
    if (a.kind === 'control' && a.ok && (a.action === 'pause' || a.action === 'resume')) return a.action === 'pause';
  }
  return false;
}

/** The studio's own reason: the agent is not in the show. */
const NO_AGENT = { reason: 'no_agent', text: 'No voice agent is in the show: start it first; then you can pause it or make it say a line.' };

/**
 * Why the host's say/pause/resume cannot work now (`reason` as the hub names it, or the studio's
 * own: `loading`, `no_agent`), in words; undefined when they can. The hub's answer
 * first (ended, not yours, LiveKit not configured), then whether an agent is there to act on.
 */
export function hostControlsBlocked(access: ShowAccess, agentPresent: boolean): { reason: string; text: string } | undefined {
  if (access.forbidden) return { reason: 'not_yours', text: blockedText('not_yours', 'controls') };
  // 404: nothing of the show reached the hub yet, so no agent either.
  if (access.missing) return NO_AGENT;
  if (!access.capabilities) return { reason: 'loading', text: 'Checking what this sign-in can do…' };
  const { actions, controlsBlocked } = access.capabilities;
  if (!actions.includes('say')) return { reason: controlsBlocked ?? 'role', text: blockedText(controlsBlocked, 'controls') || 'This sign-in cannot control the agent.' };
  if (!agentPresent) return NO_AGENT;
  return undefined;
}
