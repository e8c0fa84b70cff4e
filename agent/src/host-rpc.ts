import { ParticipantKind, type RemoteParticipant, type Room, RpcError } from '@livekit/rtc-node';
import { canBeHost } from './host-link.js';

/**
 * Telling the host's app, by LiveKit RPC, what the agent just did (the live-streaming guide:
 * "Uses RPC to communicate with the client"). The contract is in docs/livekit-and-agent.md.
 */

/** RPC methods the host's app may register to hear about products as the agent makes them. */
export const HOST_RPC = { productCreated: 'showwire.product_created', productAddedToShow: 'showwire.product_added_to_show' } as const;

/**
 * How long the host's app has to answer. Short: nothing waits on the answer (the call is fire
 * and forget), this only bounds how long a pending call lives before it is logged as failed.
 */
export const HOST_RPC_TIMEOUT_MS = 3_000;

type RoomLike = Pick<Room, 'remoteParticipants'>;

/**
 * The host's participant: the one the dispatch named, if it is in the room; otherwise the first
 * standard participant that is not a viewer (not an agent, egress, ingress or SIP caller: none of
 * those runs an app that could answer), preferring one that publishes a track, since the host is the one speaking.
 * Product data is public to the show's viewers anyway, so a wrong guess leaks nothing.
 */
export function findHost(room: RoomLike, named?: string): RemoteParticipant | undefined {
  const participants = [...room.remoteParticipants.values()];
  const byName = named !== undefined ? participants.find((p) => p.identity === named) : undefined;
  if (byName) return byName;
  const apps = participants.filter((p) => p.kind === ParticipantKind.STANDARD && canBeHost(p));
  return apps.find((p) => p.trackPublications.size > 0) ?? apps[0];
}

export interface HostRpcDeps {
  /** The room, when the agent is in one (absent in text-only sessions). */
  room?: Room;
  /** The host's identity, if the dispatch named it. */
  hostIdentity?: string;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * Fire and forget: returns at once, so the tool's result never waits on the host's app. A host
 * app that is absent, lacks the method, fails or is late must not fail the tool: the failure is
 * logged (with its RPC error code), not reported to the model or in the `tool_call`.
 */
export function notifyHost(deps: HostRpcDeps, method: string, payload: unknown): void {
  const local = deps.room?.localParticipant;
  if (!deps.room || !local) return;
  const host = findHost(deps.room, deps.hostIdentity);
  if (!host) return;
  const destinationIdentity = host.identity;
  local.performRpc({ destinationIdentity, method, payload: JSON.stringify(payload), responseTimeout: HOST_RPC_TIMEOUT_MS }).catch((error: unknown) => {
    const code = error instanceof RpcError ? ` (code ${Number(error.code)})` : '';
    deps.log?.(`RPC ${method} to ${destinationIdentity} failed${code}: ${error instanceof Error ? error.message : String(error)}`, error);
  });
}
