import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { PresenceNotice, Watcher } from '@showwire/protocol';
import { dataFrame } from '../fanout/frames.js';
import type { Fanout } from '../fanout/fanout.js';
import { createLocalWatchers, sortWatchers } from './presence.js';

interface HubEntry {
  /** When this hub last wrote the entry (its clock, ms): an entry older than the TTL is a dead hub's. */
  at: number;
  watchers: Watcher[];
}

/**
 * Presence shared by every hub on one Redis. Each show has a hash `presence:<show>` with one field
 * per hub holding that hub's watchers and when it wrote them; a hub rewrites its fields every third
 * of `ttlMs`, so a hub that dies without a word drops out within the TTL (the key's own expiry
 * cleans up a show nobody watches any more). A hub whose watchers change writes its field and
 * publishes the show's name on the `presence` channel; every hub then reads the hash and sends
 * the merged list to its own streams of that show. A timer also re-reads the shows a hub knows of,
 * so the lapse of a dead hub's entry is announced too. If Redis can't be reached, a hub answers
 * with what it has (its own watchers) rather than nothing.
 */
export function createRedisPresence(opts: { fanout: Fanout; redis: Redis; prefix: string; ttlMs: number; logger: FastifyBaseLogger }) {
  const { fanout, redis, prefix, ttlMs, logger } = opts;
  const hubId = randomUUID();
  const channel = `${prefix}presence`;
  const keyOf = (show: string) => `${prefix}presence:${show}`;
  const local = createLocalWatchers((show) => changed(show));
  /** The list last sent to this hub's streams, per show (JSON): the tick announces only a difference. */
  const sent = new Map<string, string>();

  const due = new Set<string>();
  function changed(show: string) {
    if (due.size === 0) setImmediate(writeDue);
    due.add(show);
  }
  function writeDue() {
    const shows = [...due];
    due.clear();
    const m = redis.multi();
    for (const show of shows) {
      const watchers = local.watchers(show);
      if (watchers.length) m.hset(keyOf(show), hubId, JSON.stringify({ at: Date.now(), watchers } satisfies HubEntry)).pexpire(keyOf(show), ttlMs);
      else m.hdel(keyOf(show), hubId);
      m.publish(channel, show);
    }
    m.exec().catch((error: unknown) => {
      logger.warn({ err: error }, 'presence: could not write to Redis; announcing this hub only');
      for (const show of shows) void announce(show);
    });
  }

  /** Every hub's watchers of `show`, one entry per person (the earliest `since` of their hubs). */
  async function watchers(show: string): Promise<Watcher[]> {
    const mine = local.watchers(show);
    let fields: Record<string, string>;
    try {
      fields = await redis.hgetall(keyOf(show));
    } catch (error) {
      logger.debug({ err: error }, 'presence: Redis unavailable; answering with this hub only');
      return mine;
    }
    const cutoff = Date.now() - ttlMs;
    const bySub = new Map<string, Watcher>(mine.map((w) => [w.sub, w]));
    for (const [hub, json] of Object.entries(fields)) {
      if (hub === hubId) continue; // this hub's own state is fresher in memory
      const entry = JSON.parse(json) as HubEntry;
      if (entry.at < cutoff) continue;
      for (const w of entry.watchers) {
        const seen = bySub.get(w.sub);
        if (!seen || w.since < seen.since) bySub.set(w.sub, w);
      }
    }
    return sortWatchers([...bySub.values()]);
  }

  const notice = async (show: string): Promise<PresenceNotice> => ({ type: 'presence', show, watchers: await watchers(show) });

  async function announce(show: string, onlyIfChanged = false) {
    const n = await notice(show);
    const json = JSON.stringify(n.watchers);
    if (onlyIfChanged && sent.get(show) === json) return;
    if (n.watchers.length) sent.set(show, json);
    else sent.delete(show);
    fanout.noticeShow(show, 'presence', dataFrame(n));
  }

  // Pub/sub needs a connection of its own; it resubscribes by itself after a reconnect.
  const subscriber = redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null });
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, show: string) => void announce(show).catch(() => {}));
  void subscriber.subscribe(channel).catch((error: unknown) => logger.warn({ err: error }, 'presence: could not subscribe'));

  const timer = setInterval(() => {
    const mine = local.shows();
    if (mine.length) {
      const m = redis.multi();
      for (const show of mine) m.hset(keyOf(show), hubId, JSON.stringify({ at: Date.now(), watchers: local.watchers(show) } satisfies HubEntry)).pexpire(keyOf(show), ttlMs);
      m.exec().catch(() => {});
    }
    for (const show of new Set([...mine, ...sent.keys()])) void announce(show, true).catch(() => {});
  }, Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    join: local.join,
    notice,
    /** Takes this hub's entries out at once (a drained hub is not watching), before the log's connection closes. */
    async close() {
      clearInterval(timer);
      const mine = local.shows();
      if (mine.length) {
        const m = redis.multi();
        for (const show of mine) m.hdel(keyOf(show), hubId).publish(channel, show);
        await m.exec().catch(() => {});
      }
      subscriber.disconnect();
    },
  };
}
