import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { DispatchAgentResponse, dispatchAgentBody } from '@showwire/protocol';

/** Explicit dispatch of the agent (by name; AGENT_NAME by default) to a room. */
export async function dispatchAgent(app: FastifyInstance, body: z.output<typeof dispatchAgentBody>): Promise<DispatchAgentResponse> {
  const agentName = body.agentName ?? app.hub.config.AGENT_NAME;
  const metadata = body.metadata === undefined ? undefined : typeof body.metadata === 'string' ? body.metadata : JSON.stringify(body.metadata);
  const d = await app.livekit().call('createDispatch', (c) => c.dispatch.createDispatch(body.roomName, agentName, { ...(metadata !== undefined && { metadata }) }));
  return { dispatchId: d.id, roomName: d.room || body.roomName, agentName: d.agentName || agentName };
}
