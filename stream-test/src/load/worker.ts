import { parentPort } from 'node:worker_threads';
import { flood } from './flood.js';
import type { Target } from './payload.js';
import { openSubscribers } from './subscribers.js';

/**
 * One load worker thread: holds a share of the subscribers (or flood connections) so the
 * client's CPU spreads over cores. Requests come as `{id, op, ...}` and are answered `{id, result}`.
 */
type Request =
  | { id: number; op: 'connect'; url: string | string[]; count: number; headers: Record<string, string>; group?: string; channels?: number }
  | { id: number; op: 'wait'; expected: number; timeoutMs: number; group?: string }
  | { id: number; op: 'close' }
  | { id: number; op: 'flood'; target: Target; concurrency: number; durationMs: number; batch: number };

/** Subscriber groups by name (one, 'default', unless a run mixes kinds, e.g. walls and show viewers). */
const groups = new Map<string, ReturnType<typeof openSubscribers>>();

async function handle(msg: Request): Promise<unknown> {
  switch (msg.op) {
    case 'connect': {
      const name = msg.group ?? 'default';
      groups.get(name)?.close();
      const subs = openSubscribers(msg.url, msg.count, msg.headers, 200, msg.channels);
      groups.set(name, subs);
      await subs.connect();
      return subs.snapshot();
    }
    case 'wait': {
      const subs = groups.get(msg.group ?? 'default');
      if (!subs) throw new Error('no subscribers');
      return subs.waitFor(msg.expected, msg.timeoutMs);
    }
    case 'close': {
      const last = groups.get('default')?.snapshot();
      for (const subs of groups.values()) subs.close();
      groups.clear();
      return last ?? null;
    }
    case 'flood':
      return flood(msg.target, msg.concurrency, msg.durationMs, msg.batch);
  }
}

parentPort!.on('message', (msg: Request) => {
  handle(msg).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (error: unknown) => parentPort!.postMessage({ id: msg.id, error: String(error) }),
  );
});
