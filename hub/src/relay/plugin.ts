import type { FastifyInstance } from 'fastify';
import { DataPacket_Kind } from 'livekit-server-sdk';
import { createRoomRelay, RELAY_TOPIC } from './room-relay.js';

/**
 * Wires the room relay to the log (after the commit) when LiveKit is configured and
 * HUB_ROOM_RELAY_TYPES names at least one type.
 */
export async function roomRelayPlugin(app: FastifyInstance) {
  const { config, log, metrics } = app.hub;
  if (!config.LIVEKIT_URL || !config.LIVEKIT_API_KEY || !config.LIVEKIT_API_SECRET) return;
  if (config.HUB_ROOM_RELAY_TYPES.length === 0) return;
  const lk = () => app.livekit();
  const relay = createRoomRelay({
    types: new Set(config.HUB_ROOM_RELAY_TYPES),
    maxQueue: config.HUB_ROOM_RELAY_QUEUE,
    registry: metrics.registry,
    logger: app.log,
    roomExists: async (room) => (await lk().call('listRooms', (c) => c.rooms.listRooms([room]))).length > 0,
    send: (room, payload) => lk().call('sendData', (c) => c.rooms.sendData(room, payload, DataPacket_Kind.RELIABLE, { topic: RELAY_TOPIC })),
  });
  const off = log.onAppend(relay.onRecords);
  app.addHook('onClose', async () => {
    off();
    relay.close();
  });
}
