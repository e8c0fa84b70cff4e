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

/**
 * Why the host's say/pause/resume cannot work now (`reason` as the hub names it, or the studio's
 * own: `missing`, `loading`, `no_agent`), in words; undefined when they can. The hub's answer
 * first (ended, not yours, LiveKit not configured), then whether an agent is there to act on.
 */
export function hostControlsBlocked(access: ShowAccess, agentPresent: boolean): { reason: string; text: string } | undefined {
  if (access.forbidden) return { reason: 'not_yours', text: blockedText('not_yours', 'controls') };
  if (access.missing) return { reason: 'missing', text: 'The show has not started yet: go live and start the voice agent first.' };
  if (!access.capabilities) return { reason: 'loading', text: 'Checking what this sign-in can do…' };
  const { actions, controlsBlocked } = access.capabilities;
  if (!actions.includes('say')) return { reason: controlsBlocked ?? 'role', text: blockedText(controlsBlocked, 'controls') || 'This sign-in cannot control the agent.' };
  if (!agentPresent) return { reason: 'no_agent', text: 'No voice agent is in the show: start it first; then you can pause it or make it say a line.' };
  return undefined;
}
