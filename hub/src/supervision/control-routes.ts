import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ParticipantInfo } from 'livekit-server-sdk';
import { AGENT_RPC_METHODS, controlBody, HOST_CONTROL_ACTIONS, showParams, type ControlResponse } from '@showwire/protocol';
import { coversShow, type Principal } from '../auth/access.js';
import { forbidden, HttpError } from '../errors.js';
import { callAgent } from '../livekit/agent-rpc.js';
import { dispatchAgent } from '../livekit/dispatch.js';
import { controlResponse } from '@showwire/protocol';
import { errorResponses } from '../openapi.js';

type Action = ControlResponse['action'];

/**
 * What a host may do on its own show; staff and admin may do everything everywhere. The host
 * dispatches its agent from the studio (dispatch-agent), so it may dismiss it too (`end_agent`).
 */
const HOST_ACTIONS: ReadonlySet<Action> = new Set(HOST_CONTROL_ACTIONS);

/** LiveKit's participant kind for agents (ParticipantInfo_Kind.AGENT in @livekit/protocol). */
const AGENT_KIND = 4 as ParticipantInfo['kind'];

function assertMayControl(p: Principal, show: string, action: Action): void {
  if (p.role === 'admin' || p.role === 'staff') return;
  if (p.role !== 'host') throw forbidden(`role "${p.role}" cannot control the agent (staff, admin, or a host for its own show, can)`);
  if (!coversShow(p, show)) throw forbidden(`this host token does not cover show "${show}"`);
  if (!HOST_ACTIONS.has(action)) throw forbidden(`a host may only ${[...HOST_ACTIONS].join(', ')}; "${action}" needs a staff or admin token`);
}

/**
 * `POST /api/shows/:show/control`: acts on a show's agent or room and answers with the outcome.
 * Every attempt that passed validation and access publishes a `control` event (who, what, the
 * outcome): the audit trail, shown in the show's action feed. A failed attempt answers in the
 * hub's error shape (409 no agent, 502 the agent refused or timed out, 503 LiveKit unreachable).
 */
export const controlRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hub } = app;
  const lk = () => app.livekit();

  async function act(show: string, action: Action, text: string | undefined): Promise<void> {
    switch (action) {
      case 'say':
      case 'pause':
      case 'resume':
      case 'end_agent':
        await callAgent(hub.config, show, AGENT_RPC_METHODS[action], action === 'say' ? { text } : {});
        return;
      case 'end_show':
        // LiveKit then sends room_finished → show_ended, as for the host's own end.
        await lk().call('deleteRoom', (c) => c.rooms.deleteRoom(show));
        return;
      case 'redispatch': {
        // A stuck agent would otherwise stay beside the new one: it leaves first.
        const participants = await lk().call('listParticipants', (c) => c.rooms.listParticipants(show));
        for (const p of participants.filter((x) => x.kind === AGENT_KIND)) {
          await lk().call('removeParticipant', (c) => c.rooms.removeParticipant(show, p.identity));
        }
        await dispatchAgent(app, { roomName: show });
        return;
      }
    }
  }

  app.post('/api/shows/:show/control', { schema: { params: showParams, body: controlBody, response: { 200: controlResponse, ...errorResponses } } }, async (req): Promise<ControlResponse> => {
    const principal = await req.principal();
    const { show } = req.params;
    const { action, text } = req.body;
    assertMayControl(principal, show, action);
    let failure: HttpError | undefined;
    try {
      await act(show, action, text);
    } catch (error) {
      failure = error instanceof HttpError ? error : new HttpError('control_failed', `${action} failed: ${(error as Error).message}`);
    }
    const event = { type: 'control', show, action, by: principal.sub, ok: !failure, ...(text !== undefined && { text }), ...(failure && { error: failure.message }) };
    // The audit trail is the hub's to write, in the caller's name.
    const { ids } = await hub.publish([event], { ...principal, hub: true });
    if (failure) throw failure;
    return { action, ok: true, id: ids[0]! };
  });
};
