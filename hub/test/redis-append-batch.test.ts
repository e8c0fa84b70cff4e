import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { StoreUnavailableError, type NewEvent } from '../src/log/event-log.js';
import { openRedisLog, type RedisEventLog } from '../src/log/redis-log.js';
import { startRedis, type RedisServer } from '@showwire/testkit';

let server: RedisServer;
before(async () => {
  server = await startRedis();
});
after(() => server.destroy());

const now = Date.now() / 1000;
const ev = (show: string, n: number, eventId?: string) => ({ type: 'x', show, source: 'agent:t', timestamp: now, receivedAt: now, n, ...(eventId ? { eventId } : {}) }) as NewEvent;
const seqOf = (log: RedisEventLog, id: string) => Number(id.slice(log.epoch.length + 1));
const tick = () => new Promise((r) => setImmediate(r));

/**
 * Counts, per client address, the append script calls Redis ran (MONITOR lists every command
 * with the address of the client that sent it). `settle` waits until Redis ran a marker sent after
 * the appends, so every earlier command has been seen.
 */
async function countScriptCalls(url: string) {
  const raw = new Redis(url);
  const monitor = await raw.monitor();
  const calls = new Map<string, number>();
  const markers = new Set<string>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const command = args[0]?.toLowerCase();
    if (command === 'evalsha' || command === 'eval') calls.set(source, (calls.get(source) ?? 0) + 1);
    if (command === 'echo') markers.add(args[1]!);
  });
  const marker = new Redis(url);
  return {
    calls: (address: string) => calls.get(address) ?? 0,
    async settle() {
      const m = randomBytes(4).toString('hex');
      await marker.echo(m);
      for (let i = 0; i < 200 && !markers.has(m); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(markers.has(m), 'MONITOR saw the marker');
    },
    close() {
      monitor.disconnect();
      marker.disconnect();
      raw.disconnect();
    },
  };
}

/** The address Redis knows this log's connection by, as MONITOR names it. */
async function addressOf(log: RedisEventLog): Promise<string> {
  const info = (await log.redis.client('INFO'));
  return /addr=(\S+)/.exec(info)![1]!;
}

describe('Redis appends of concurrent requests', () => {
  it('go to Redis in fewer calls than requests on each of two hubs, with ids in acceptance order and no duplicate or gap', async () => {
    const prefix = `{b${randomBytes(4).toString('hex')}}:`;
    const hubs = [await openRedisLog({ url: server.url, prefix }), await openRedisLog({ url: server.url, prefix })];
    // Loads the script on both connections, so every call below is one EVALSHA.
    for (const h of hubs) await h.append([ev('warm', 0)]);
    const monitor = await countScriptCalls(server.url);
    try {
      const addresses = await Promise.all(hubs.map(addressOf));
      const N = 64;
      // Per hub, in acceptance order: requests in waves, each wave a tick after the last, so
      // later waves arrive while an earlier call is in flight; both hubs at once.
      const answers: Array<Array<Promise<Awaited<ReturnType<RedisEventLog['append']>>>>> = [[], []];
      for (let i = 0; i < N; i++) {
        for (const [h, log] of hubs.entries()) answers[h]!.push(log.append([ev(`show${i % 3}`, i), ev(`show${i % 3}`, i + 1000)]));
        if (i % 8 === 7) await tick();
      }
      const results = await Promise.all(answers.map((a) => Promise.all(a)));
      await monitor.settle();
      for (const [h, log] of hubs.entries()) {
        const calls = monitor.calls(addresses[h]!);
        assert.ok(calls >= 1 && calls < N, `hub ${h} made ${calls} script calls for ${N} requests`);
        const seqs = results[h]!.flat().map((r) => seqOf(log, r.id));
        for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `hub ${h}: ids in acceptance order (${seqs[i - 1]} then ${seqs[i]})`);
        results[h]!.forEach((records, i) => {
          assert.deepEqual(records.map((r) => [r.duplicate, (r.event as { n?: number }).n, r.show]), [[false, i, `show${i % 3}`], [false, i + 1000, `show${i % 3}`]]);
        });
      }
      // Across both hubs: every id once, no gap, and the log holds exactly what was answered.
      const all = [...results[0]!.flat(), ...results[1]!.flat()].map((r) => seqOf(hubs[0]!, r.id)).sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 4 * N }, (_, i) => i + 3));
      const stored = await hubs[0]!.read({ limit: 10_000 });
      assert.deepEqual(stored.slice(2).map((r) => r.id), [...results[0]!.flat(), ...results[1]!.flat()].map((r) => r.id).sort((a, b) => seqOf(hubs[0]!, a) - seqOf(hubs[0]!, b)));
    } finally {
      monitor.close();
      for (const h of hubs) await h.close();
    }
  });

  it('treat a repeated eventId in another request of the same call as a retry (per show)', async () => {
    const log = await openRedisLog({ url: server.url, prefix: `{d${randomBytes(4).toString('hex')}}:` });
    try {
      const [[a], [b], [c]] = await Promise.all([log.append([ev('s', 1, 'same')]), log.append([ev('s', 2, 'same')]), log.append([ev('other', 3, 'same')])]);
      assert.equal(a!.duplicate, false);
      assert.equal(b!.duplicate, true);
      assert.equal(b!.id, a!.id);
      assert.equal((b!.event as { n?: number }).n, 1, 'the retry is answered with the stored event');
      assert.equal(c!.duplicate, false);
      assert.notEqual(c!.id, a!.id);
      assert.equal((await log.read({ limit: 10 })).length, 2);
    } finally {
      await log.close();
    }
  });

  it('fail one request alone: a hook that keeps refusing it, or a command that fails, leaves the others of the call appended', async () => {
    const prefix = `{h${randomBytes(4).toString('hex')}}:`;
    const log = await openRedisLog({ url: server.url, prefix });
    const raw = new Redis(server.url);
    try {
      const prepared = new Map<string, number>();
      log.setAppendHook({
        lua: `local function append_hook(keys, argv) if argv[1] == 'refuse' then return nil, 'endpoints changed' end return nil end`,
        async prepare(events, stale) {
          const show = events[0]!.show;
          prepared.set(show, (prepared.get(show) ?? 0) + 1);
          // 'bad' is refused every time; 'flaky' only until the hook is asked again.
          return { keys: [], args: [show === 'bad' || (show === 'flaky' && !stale) ? 'refuse' : 'ok'] };
        },
      });
      await raw.set(`${prefix}show:broken`, 'not a stream');
      const settled = await Promise.allSettled([
        log.append([ev('good', 1)]),
        log.append([ev('bad', 2)]),
        log.append([ev('flaky', 3)]),
        log.append([ev('broken', 4)]),
        log.append([ev('good', 5)]),
      ]);
      const [good1, bad, flaky, broken, good2] = settled;
      assert.equal(good1.status, 'fulfilled');
      assert.equal(good2.status, 'fulfilled');
      assert.equal(flaky.status, 'fulfilled', 'refused once, then appended in a later call');
      assert.ok(bad.status === 'rejected' && bad.reason instanceof StoreUnavailableError && /Redis is unavailable: HOOK endpoints changed/.test((bad.reason as Error).message));
      assert.ok(broken.status === 'rejected' && broken.reason instanceof StoreUnavailableError && /WRONGTYPE/.test((broken.reason as Error).message), String((broken as PromiseRejectedResult).reason));
      assert.equal(prepared.get('bad'), 5, 'the hook was asked again on each refusal, up to five tries');
      assert.equal(prepared.get('flaky'), 2);
      const ok = [good1, good2, flaky].map((s) => (s).value[0]!);
      const shows = (await log.read({ shows: ['good', 'flaky', 'bad'], limit: 10 })).map((r) => [r.id, r.show]);
      assert.deepEqual(shows, ok.map((r) => [r.id, r.show]), 'the good ones in acceptance order, the retried one after them, nothing of the refused one');
    } finally {
      raw.disconnect();
      await log.close();
    }
  });
});
