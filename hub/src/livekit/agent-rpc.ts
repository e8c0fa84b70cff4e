import { randomUUID } from 'node:crypto';
import { ParticipantKind, Room, RpcError } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import type { Config } from '../config.js';
import { HttpError } from '../errors.js';
import { livekitUnconfigured } from './errors.js';

/** Identities of the hub's short-lived control participants (never taken for the agent). */
const CONTROL_PREFIX = 'hub-control-';

/** Why a call to the agent did not happen: the control route publishes it as the `control` event's `error`. */
class AgentRpcError extends HttpError {}

/**
 * Calls one of the agent's RPC methods (agent/src/controls.ts) in a show's room: the hub joins
 * as a data-only participant for the call and leaves after it. Joining per call costs a
 * few hundred ms, which a person pressing a button doesn't notice, and leaves nothing to keep
 * alive or clean up when a room goes away. Answers the agent's reply.
 */
export async function callAgent(config: Config, show: string, method: string, payload: unknown): Promise<string> {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret, LIVEKIT_TIMEOUT_MS: timeoutMs } = config;
  if (!url || !key || !secret) throw livekitUnconfigured();
  const at = new AccessToken(key, secret, { identity: `${CONTROL_PREFIX}${randomUUID().slice(0, 8)}`, ttl: 60 });
  // Not hidden: LiveKit does not deliver the agent's RPC answer to a hidden participant (the call
  // then times out). Joined as kind "agent" instead, which the voice agent (it links to standard
  // participants) and host apps (findHost) pass over; for about a second it is in the room's list.
  at.kind = 'agent';
  at.addGrant({ room: show, roomJoin: true, canPublish: false, canSubscribe: true, canPublishData: true });
  const room = new Room();
  try {
    try {
      await withTimeout(room.connect(url, await at.toJwt(), { autoSubscribe: false, dynacast: false }), timeoutMs, 'joining the room');
    } catch (error) {
      throw new HttpError('livekit_unavailable', `LiveKit server at ${url} could not be joined for show "${show}": ${(error as Error).message}`);
    }
    const agent = [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT && !p.identity.startsWith(CONTROL_PREFIX));
    if (!agent) throw new AgentRpcError('agent_not_present', `no agent is in show "${show}"'s room (dispatch one with action "redispatch")`);
    try {
      return await room.localParticipant!.performRpc({ destinationIdentity: agent.identity, method, payload: JSON.stringify(payload), responseTimeout: timeoutMs });
    } catch (error) {
      // The SDK types `code` as its table of codes or a number; an RpcError is built from the number.
      const detail = error instanceof RpcError ? `${error.message} (RPC error ${error.code as number})` : (error as Error).message;
      throw new AgentRpcError('agent_rpc_failed', `the agent ${agent.identity} did not carry out "${method}": ${detail}`);
    }
  } finally {
    await room.disconnect().catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer ${what} within ${ms} ms`)), ms);
    }),
  ]);
}
