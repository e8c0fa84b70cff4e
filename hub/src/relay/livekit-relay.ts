import type { FastifyBaseLogger } from 'fastify';
import { DataPacket_Kind } from 'livekit-server-sdk';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { LiveKitServices } from '../livekit/client.js';
import type { Consumer } from '../pipeline/consumer.js';
import { createRoomRelay, RELAY_TOPIC } from './room-relay.js';

/**
 * The room relay as a pipeline consumer, sending through LiveKit's room service; none when
 * LiveKit is not configured or HUB_ROOM_RELAY_TYPES names no type.
 */
export function createLiveKitRelay(deps: { config: Config; livekit: () => LiveKitServices; registry: Registry; logger: FastifyBaseLogger }) {
  const { config, livekit: lk } = deps;
  if (!config.LIVEKIT_URL || !config.LIVEKIT_API_KEY || !config.LIVEKIT_API_SECRET) return undefined;
  if (config.HUB_ROOM_RELAY_TYPES.length === 0) return undefined;
  const relay = createRoomRelay({
    types: new Set(config.HUB_ROOM_RELAY_TYPES),
    maxQueue: config.HUB_ROOM_RELAY_QUEUE,
    registry: deps.registry,
    logger: deps.logger,
    roomExists: async (room) => (await lk().call('listRooms', (c) => c.rooms.listRooms([room]))).length > 0,
    send: (room, payload) => lk().call('sendData', (c) => c.rooms.sendData(room, payload, DataPacket_Kind.RELIABLE, { topic: RELAY_TOPIC })),
  });
  const consumer: Consumer = { name: 'room relay', apply: (records) => relay.onRecords(records) };
  return { consumer, close: () => relay.close() };
}
