import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { postJson, readHistory, startHub, type TestHub, waitFor } from '@showwire/testkit';
import { runCli } from './helpers/cli.js';

/** `stream-test replay` as a process against a real hub: the copy has the recording's events, in order, paced, re-addressed. */
describe('stream-test replay', () => {
  let hub: TestHub;
  let staff: string;
  let agent: string;
  /** Each recorded event's own fields (what a replay must carry over). */
  const own = (e: any) => {
    const { id: _i, show: _s, receivedAt: _r, source: _o, timestamp: _t, eventId: _e, ...rest } = e;
    return rest;
  };

  before(async () => {
    hub = await startHub({ HUB_LOG_LEVEL: 'warn' });
    staff = await hub.token('staff');
    agent = await hub.token('agent', ['rec-show', 'rehearsal-1', 'rehearsal-2']);
    // A recording with real gaps between its parts (the replay keeps them, divided by --speed).
    const post = async (events: unknown[]) => assert.equal((await postJson(`${hub.url}/api/shows/rec-show/events`, events, agent)).status, 201);
    await post([{ type: 'show_started', title: 'Recorded' }, { type: 'transcript', role: 'user', participant: 'host', text: 'Hello' }]);
    await sleep(400);
    await post([
      { type: 'product_created', product: { id: 'p1', name: 'Mug', price: 12, currency: 'USD' } },
      { type: 'product_added_to_show', productId: 'p1' },
      { type: 'custom.thing', anything: { nested: [1, 2] } },
    ]);
    await sleep(400);
    await post([{ type: 'transcript', role: 'agent', text: 'Bye', final: true }, { type: 'show_ended' }]);
    await waitFor('the recording\'s own summary', async () => (await readHistory(hub.url, 'rec-show', staff)).some((e) => e.type === 'show_summary'));
  });
  after(() => hub.close());

  it('re-publishes every event in order into the other show, paced by --speed, without the recorded summary', async () => {
    const recorded = await readHistory(hub.url, 'rec-show', staff);
    const res = await runCli(['replay', '--hub', hub.url, '--token', staff, '--to-token', agent, '--from', 'rec-show', '--to', 'rehearsal-1', '--speed', '4', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    const expected = recorded.filter((e) => e.type !== 'show_summary');
    assert.equal(out.sent, expected.length);

    // The hub publishes its own summary of the copy when the replayed show_ended lands.
    await waitFor('the copy\'s summary', async () => (await readHistory(hub.url, 'rehearsal-1', staff)).some((e) => e.type === 'show_summary'));
    const copy = await readHistory(hub.url, 'rehearsal-1', staff);
    const replayed = copy.filter((e) => e.type !== 'show_summary');
    assert.deepEqual(replayed.map(own), expected.map(own), 'same events, same fields, same order');
    assert.ok(replayed.every((e) => e.show === 'rehearsal-1' && e.source === 'agent:agent-test'));
    assert.equal(copy.filter((e) => e.type === 'show_summary').length, 1);
    assert.equal(copy.at(-1).type, 'show_summary');
    assert.equal(copy.at(-1).title, 'Recorded');

    // Paced: the copy spans about the recording's span over 4. The schedule starts when the first
    // post is sent, the copy's clock when it is stored, so a slow first answer shortens the copy's
    // span by that answer's time: hence the margin (a pacing bug shows as a span near 0).
    const span = (list: any[]) => list.at(-1).receivedAt - list[0].receivedAt;
    assert.ok(span(replayed) >= (span(expected) / 4) * 0.6, `copy spans ${span(replayed)} s, recording ${span(expected)} s`);
  });

  it('a second run is a new rehearsal; bad flags and refused tokens exit with their codes', async () => {
    const again = await runCli(['replay', '--hub', hub.url, '--token', staff, '--to-token', agent, '--from', 'rec-show', '--to', 'rehearsal-1', '--speed', '16', '--max-gap', '0.01']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^replayed \d+ of \d+ events from rec-show to rehearsal-1 in [\d.]+ s\n$/);
    const copy = await readHistory(hub.url, 'rehearsal-1', staff);
    assert.equal(copy.filter((e) => e.type === 'show_started').length, 2);

    const same = await runCli(['replay', '--hub', hub.url, '--token', staff, '--from', 'rec-show', '--to', 'rec-show']);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /--from and --to must be different shows/);
    const badSpeed = await runCli(['replay', '--hub', hub.url, '--token', staff, '--from', 'rec-show', '--to', 'rehearsal-2', '--speed', '0']);
    assert.equal(badSpeed.code, 2);
    assert.match(badSpeed.stderr, /must be a number above 0/);
    // Staff may read but not publish.
    const noPublish = await runCli(['replay', '--hub', hub.url, '--token', staff, '--from', 'rec-show', '--to', 'rehearsal-2']);
    assert.equal(noPublish.code, 4, noPublish.stderr);
    assert.match(noPublish.stderr, /role "staff" cannot publish/);
    const empty = await runCli(['replay', '--hub', hub.url, '--token', staff, '--to-token', agent, '--from', 'nothing-here', '--to', 'rehearsal-2']);
    assert.equal(empty.code, 5);
    assert.match(empty.stderr, /has no retained events/);
  });
});
