import { voice } from '@livekit/agents';
import { type Room, RpcError, type RpcInvocationData } from '@livekit/rtc-node';
import { END_REASONS } from './session-end.js';

/**
 * The staff controls (docs/supervision.md), as LiveKit RPC methods the hub calls
 * (`POST /api/shows/:show/control` → hub/src/livekit/agent-rpc.ts). Method names are
 * `AGENT_RPC_METHODS` of the protocol; each answers a short JSON outcome, or an RpcError the hub
 * reports as the control's `error`.
 *
 * - `say` `{text}`: speaks the line now (also while paused: a person asked for it).
 * - `pause`: keeps listening and transcribing (the bridge still posts the host's transcript), but
 *   each completed turn of the host stops there (`StopResponse` from the agent's
 *   onUserTurnCompleted), so the agent neither answers nor calls tools; speech in flight is
 *   interrupted. (Switching turn detection to manual and back was tried: the running activity
 *   never ended a turn again after it.)
 * - `resume`: turns are answered again; what the host said while paused is not answered late.
 * - `end_agent`: ends the agent's session (the bridge posts `agent_session_closed`), then the job.
 */
export function registerControls(room: Room, session: voice.AgentSession, opts: { shutdown?: (reason: string) => void } = {}) {
  const local = room.localParticipant;
  if (!local) throw new Error('registerControls needs a connected room');
  let paused = false;
  const guarded = new WeakSet<voice.Agent>();
  /** Wraps the current agent's turn hook once: while paused, a finished turn gets no reply. */
  const guard = () => {
    const agent = session.currentAgent;
    if (guarded.has(agent)) return;
    guarded.add(agent);
    const original = agent.onUserTurnCompleted.bind(agent);
    agent.onUserTurnCompleted = async (chatCtx, message) => {
      if (paused) throw new voice.StopResponse();
      return original(chatCtx, message);
    };
  };

  const handle = (fn: (payload: Record<string, unknown>) => unknown) => async (data: RpcInvocationData) => {
    let payload: Record<string, unknown> = {};
    try {
      payload = data.payload ? (JSON.parse(data.payload) as Record<string, unknown>) : {};
    } catch {
      throw new RpcError(1400, 'payload is not JSON');
    }
    try {
      return JSON.stringify((await fn(payload)) ?? { ok: true });
    } catch (error) {
      if (error instanceof RpcError) throw error;
      throw new RpcError(1500, error instanceof Error ? error.message : String(error));
    }
  };

  local.registerRpcMethod(
    'say',
    handle(({ text }) => {
      if (typeof text !== 'string' || !text.trim()) throw new RpcError(1400, 'say needs a non-empty "text"');
      // Scheduled, not awaited: the caller learns it was accepted, the transcript shows it was said.
      session.say(text.trim());
      return { ok: true, paused };
    }),
  );
  local.registerRpcMethod(
    'pause',
    handle(() => {
      guard();
      if (!paused) {
        paused = true;
        session.interrupt();
      }
      return { ok: true, paused };
    }),
  );
  local.registerRpcMethod(
    'resume',
    handle(() => {
      paused = false;
      return { ok: true, paused };
    }),
  );
  local.registerRpcMethod(
    'end_agent',
    handle(() => {
      // After the answer has gone out: closing the session first would leave the hub waiting.
      setTimeout(() => {
        // The agent's own end (agent.ts) says why to the hub, then closes the session and the job.
        if (opts.shutdown) opts.shutdown(END_REASONS.endedByStaff);
        else void session.close();
      }, 100);
      return { ok: true };
    }),
  );

  return { isPaused: () => paused };
}
