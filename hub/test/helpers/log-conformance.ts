import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@showwire/testkit';
import type { CheckedLog, EventLog, NewEvent, RetainingLog } from '../../src/log/event-log.js';

/** What the conformance suite checks: the log with its retention and readiness capabilities. */
type FullLog = EventLog & RetainingLog & CheckedLog;

/**
 * The contract every EventLog implementation keeps (SQLite now, Redis Streams later): run it
 * with a factory that opens a fresh, empty log, and a `reopen` that opens the same store again.
 */
export function logConformance(name: string, factory: () => Promise<{ log: FullLog; reopen: () => Promise<FullLog>; cleanup: () => Promise<void> }>) {
  const now = () => Date.now() / 1000;
  const ev = (show: string, type: string, fields: Record<string, unknown> = {}): NewEvent =>
    ({ type, show, source: 'agent:test', timestamp: now(), receivedAt: now(), ...fields });

  describe(`EventLog conformance: ${name}`, () => {
    it('assigns strictly increasing ids across shows, in the order appends were made, and reads them back', async () => {
      const { log, cleanup } = await factory();
      try {
        const results = await Promise.all([
          log.append([ev('a', 't1'), ev('b', 't2')]),
          log.append([ev('a', 't3')]),
          log.append([ev('c', 't4'), ev('a', 't5')]),
        ]);
        const ids = results.flat().map((r) => r.id);
        for (let i = 1; i < ids.length; i++) assert.ok(log.compare(ids[i - 1]!, ids[i]!) < 0, `ids increase: ${ids.join(',')}`);
        const all = await log.read({ limit: 100 });
        assert.deepEqual(all.map((r) => r.type), ['t1', 't2', 't3', 't4', 't5']);
        assert.deepEqual(all.map((r) => r.id), ids);
        const rec = JSON.parse(all[0]!.json);
        assert.deepEqual(Object.keys(rec).slice(0, 6), ['id', 'show', 'type', 'timestamp', 'receivedAt', 'source']);
        assert.equal(rec.id, ids[0]);
        assert.equal(await log.lastId(), ids.at(-1));
      } finally {
        await cleanup();
      }
    });

    it('filters reads by show and type, pages with after/limit', async () => {
      const { log, cleanup } = await factory();
      try {
        for (let i = 0; i < 30; i++) await log.append([ev(i % 3 === 0 ? 'x' : 'y', i % 2 ? 'odd' : 'even', { n: i })]);
        const xs = await log.read({ shows: ['x'], limit: 100 });
        assert.deepEqual(xs.map((r) => JSON.parse(r.json).n), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
        const xOdd = await log.read({ shows: ['x'], types: ['odd'], limit: 100 });
        assert.deepEqual(xOdd.map((r) => JSON.parse(r.json).n), [3, 9, 15, 21, 27]);
        const seen: number[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await log.read({ after, limit: 7 });
          if (!page.length) break;
          seen.push(...page.map((r) => JSON.parse(r.json).n));
          after = page.at(-1)!.id;
        }
        assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i));
      } finally {
        await cleanup();
      }
    });

    it('makes a retried eventId idempotent per show, also inside one batch', async () => {
      const { log, cleanup } = await factory();
      try {
        const [first] = await log.append([ev('a', 'x', { eventId: 'e1' })]);
        const again = await log.append([ev('a', 'x', { eventId: 'e1' }), ev('a', 'x', { eventId: 'e2' }), ev('a', 'x', { eventId: 'e2' })]);
        assert.equal(again[0]!.id, first!.id);
        assert.equal(again[0]!.duplicate, true);
        assert.equal(again[1]!.duplicate, false);
        assert.equal(again[2]!.id, again[1]!.id);
        assert.equal(again[2]!.duplicate, true);
        const other = await log.append([ev('b', 'x', { eventId: 'e1' })]);
        assert.equal(other[0]!.duplicate, false, 'the same eventId on another show is another event');
        assert.equal((await log.read({ limit: 100 })).length, 3);
      } finally {
        await cleanup();
      }
    });

    // Not necessarily before append resolves: Redis answers once the event is stored, and its
    // stream reader tells the listeners (this hub's and every other's) when it hears it.
    it('tells listeners every new event exactly once, in id order', async () => {
      const { log, cleanup } = await factory();
      try {
        const heard: string[] = [];
        log.onAppend((records) => {
          heard.push(...records.map((r) => r.id));
        });
        const done = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append([ev('a', 'x', { eventId: `k${i % 10}` })])));
        await waitFor('every stored event heard', () => done.every((r) => heard.includes(r[0]!.id)), 5000);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(heard.length, 10, 'duplicates are not announced');
        assert.deepEqual([...heard].sort((a, b) => log.compare(a, b)), heard);
        assert.equal(new Set(done.map((r) => r[0]!.id)).size, 10);
      } finally {
        await cleanup();
      }
    });

    it('keeps what it acknowledged across a reopen, and continues the id sequence', async () => {
      const { log, reopen, cleanup } = await factory();
      try {
        const first = await log.append([ev('a', 'x'), ev('a', 'y')]);
        await log.close();
        const again = await reopen();
        assert.deepEqual((await again.read({ limit: 10 })).map((r) => r.id), first.map((r) => r.id));
        const [next] = await again.append([ev('a', 'z')]);
        assert.ok(again.compare(next!.id, first[1]!.id) > 0);
        await again.close();
      } finally {
        await cleanup();
      }
    });

    it('prunes by age and by count per show, and reports resume points it pruned past', async () => {
      const { log, cleanup } = await factory();
      try {
        const old = await log.append([ev('a', 'x', { receivedAt: now() - 10_000 }), ev('b', 'x', { receivedAt: now() - 10_000 })]);
        const recent = await log.append(Array.from({ length: 150 }, (_, i) => ev('a', 'x', { n: i })));
        await log.append([ev('b', 'x')]);
        const { deleted } = await log.prune({ maxAgeSeconds: 3600, maxPerShow: 100 });
        assert.equal(deleted, 2 + 50);
        const left = await log.read({ shows: ['a'], limit: 1000 });
        assert.equal(left.length, 100);
        assert.equal(JSON.parse(left[0]!.json).n, 50);
        assert.equal(await log.prunedAfter(old[0]!.id, ['a']), true);
        assert.equal(await log.prunedAfter(recent[49]!.id, ['a']), false, 'the 50th recent event was the last one pruned');
        assert.equal(await log.prunedAfter(recent[48]!.id, ['a']), true);
        assert.equal(await log.prunedAfter(old[1]!.id, ['b']), false);
        assert.equal(await log.prunedAfter('0', ['b']), true);
        assert.equal(await log.prunedAfter(recent[60]!.id), false);
        // Ids are never reused after pruning.
        const [after] = await log.append([ev('c', 'x')]);
        assert.ok(log.compare(after!.id, recent.at(-1)!.id) > 0);
      } finally {
        await cleanup();
      }
    });

    it('validates ids and takes a probe write', async () => {
      const { log, cleanup } = await factory();
      try {
        assert.equal(log.isId('not-an-id'), false);
        const [r] = await log.append([ev('a', 'x')]);
        assert.equal(log.isId(r!.id), true);
        await log.checkWritable();
      } finally {
        await cleanup();
      }
    });
  });
}
