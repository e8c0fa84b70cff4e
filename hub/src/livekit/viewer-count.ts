import type { FastifyBaseLogger } from 'fastify';
import type { LiveKitServices } from './client.js';
import { isViewer } from './show-events.js';

/**
 * The number of viewers in a room right after a join/leave webhook. LiveKit's participant list
 * is the truth; it is corrected for the participant the webhook is about, since the list may
 * still (or not yet) hold them when the webhook arrives. When LiveKit can't be asked, the
 * identities seen in webhooks since start are the fallback.
 */
export function createViewerCounter(log: FastifyBaseLogger) {
  const seen = new Map<string, Set<string>>();

  return {
    async after(lk: LiveKitServices, room: string, identity: string, change: 'joined' | 'left'): Promise<number> {
      let local = seen.get(room);
      if (!local) seen.set(room, (local = new Set()));
      if (change === 'joined') local.add(identity);
      else local.delete(identity);
      try {
        const participants = await lk.call('listParticipants', (c) => c.rooms.listParticipants(room));
        const viewers = new Set(participants.filter(isViewer).map((p) => p.identity));
        if (change === 'joined') viewers.add(identity);
        else viewers.delete(identity);
        seen.set(room, viewers);
        return viewers.size;
      } catch (error) {
        log.warn({ err: error, room }, 'could not list LiveKit participants; counting viewers from webhooks');
        return local.size;
      }
    },
    forget(room: string) {
      seen.delete(room);
    },
  };
}
