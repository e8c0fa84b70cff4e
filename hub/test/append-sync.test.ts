import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, rawConnect, requestJson, startHub, startReceiver, waitFor, type Receiver, type TestHub } from '@showwire/testkit';

/**
 * The SQLite log syncs its appends off the event loop (log/wal-sync.ts). These tests hold that
 * sync (fs.fdatasync, in this process, where the hub runs) to look at the hub while it runs: an
 * append is answered, streamed, readable and sent to webhooks only once its sync returned, and
 * appends arriving meanwhile are committed together, in one sync.
 */
function holdSyncs() {
  const original = fs.fdatasync;
  let holding = true;
  let calls = 0;
  const held: Array<() => void> = [];
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    calls++;
    original(fd, (err) => (holding ? held.push(() => cb(err)) : cb(err)));
  }) as typeof fs.fdatasync;
  return {
    held: () => held.length,
    calls: () => calls,
    release() {
      holding = false;
      for (const run of held.splice(0)) run();
    },
    restore() {
      this.release();
      fs.fdatasync = original;
    },
  };
}

describe('appends synced off the event loop', () => {
  let hub: TestHub;
  let receiver: Receiver;
  let agent: string;
  let staff: string;
  before(async () => {
    hub = await startHub({ HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
    agent = await hub.token('agent');
    staff = await hub.token('staff');
    receiver = await startReceiver();
  });
  after(async () => {
    await hub.close();
    await receiver.close();
  });

  it('an append whose sync runs is seen by no one: no 2xx, no stream, no read, no webhook; then by all', async () => {
    const admin = await hub.token('admin');
    const ep = await requestJson('POST', `${hub.url}/api/webhooks/endpoints`, admin, { url: receiver.url, types: ['seq'] });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));
    const stream = await rawConnect(hub.url);
    stream.socket.write(`GET /api/shows/sync-a/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${staff}\r\n\r\n`);
    await stream.until((t) => t.includes('retry:'), 'the stream head');
    const syncs = holdSyncs();
    try {
      let answered = false;
      const posting = postJson(`${hub.url}/api/shows/sync-a/events`, { type: 'seq', n: 1 }, agent).then((r) => ((answered = true), r));
      await waitFor('the append to be syncing', () => syncs.held() === 1);
      // Time for anything that would leak to leak.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(answered, false, 'no answer before the sync');
      assert.doesNotMatch(stream.received(), /^id: /m, 'nothing streamed before the sync');
      const early = await getJson(`${hub.url}/api/shows/sync-a/events?after=0`, staff);
      assert.equal(early.status, 200);
      assert.deepEqual(early.body.events, [], 'nothing readable before the sync');
      assert.equal(receiver.received.length, 0, 'no webhook before the sync');

      syncs.release();
      const res = await posting;
      assert.equal(res.status, 201);
      const [id] = res.body.ids as string[];
      await stream.until((t) => t.includes(`id: ${id}\n`), 'the event on the stream');
      const late = await getJson(`${hub.url}/api/shows/sync-a/events?after=0`, staff);
      assert.deepEqual(late.body.events.map((e: { id: string }) => e.id), [id]);
      await receiver.until(() => receiver.received.length === 1, 'the webhook');
    } finally {
      syncs.restore();
      stream.socket.destroy();
    }
  });

  it('appends that arrive while a sync runs are committed together, in one sync, ids in order', async () => {
    const syncs = holdSyncs();
    try {
      const first = postJson(`${hub.url}/api/shows/sync-b/events`, { type: 'seq', n: 0 }, agent);
      await waitFor('the first append to be syncing', () => syncs.held() === 1);
      const rest = Array.from({ length: 20 }, (_, i) => postJson(`${hub.url}/api/shows/sync-b/events`, { type: 'seq', n: i + 1 }, agent));
      // Let the 20 requests reach the hub and wait behind the running sync.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(syncs.calls(), 1, 'no second sync while the first runs');
      syncs.release();
      const answers = await Promise.all([first, ...rest]);
      for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.body));
      // The 20 in at most a couple of groups (however many had arrived by then), not 20 syncs.
      assert.ok(syncs.calls() <= 3, `${syncs.calls()} syncs for 21 appends`);
      const stored = await getJson(`${hub.url}/api/shows/sync-b/events?after=0&limit=100`, staff);
      assert.deepEqual(
        stored.body.events.map((e: { id: string }) => e.id),
        answers.map((a) => a.body.ids[0]).sort((x: string, y: string) => Number(x.split('-')[1]) - Number(y.split('-')[1])),
      );
      assert.equal(answers[0].body.ids[0], stored.body.events[0].id, 'the first append got the first id');
    } finally {
      syncs.restore();
    }
  });
});
