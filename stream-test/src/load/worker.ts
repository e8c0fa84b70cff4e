import { parentPort } from 'node:worker_threads';
import { flood } from './flood.js';
import type { Target } from './payload.js';
import { openSubscribers } from './subscribers.js';

/**
 * One load worker thread: holds a share of the subscribers (or flood connections) so the
 * client's CPU spreads over cores. Requests come as `{id, op, ...}` and are answered `{id, result}`.
 */
type Request =
  | { id: number; op: 'connect'; url: string; count: number; headers: Record<string, string> }
  | { id: number; op: 'wait'; expected: number; timeoutMs: number }
  | { id: number; op: 'close' }
  | { id: number; op: 'flood'; target: Target; concurrency: number; durationMs: number; batch: number };

let subs: ReturnType<typeof openSubscribers> | undefined;

async function handle(msg: Request): Promise<unknown> {
  switch (msg.op) {
    case 'connect':
      subs?.close();
      subs = openSubscribers(msg.url, msg.count, msg.headers);
      await subs.connect();
      return subs.snapshot();
    case 'wait':
      if (!subs) throw new Error('no subscribers');
      return subs.waitFor(msg.expected, msg.timeoutMs);
    case 'close': {
      const last = subs?.snapshot();
      subs?.close();
      subs = undefined;
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
