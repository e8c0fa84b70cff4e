import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventSeq, postJson, startHub, startRedis, type RedisServer, type TestHub } from '@showwire/testkit';

const SECRET = 'r'.repeat(40);
const SHOW = 'race';

/**
 * Opens a stream resuming after `from`, reads until it saw `want` events (or 3 s passed), and
 * answers the ids it got, in order.
 */
async function resumeAndRead(hub: TestHub, token: string, from: string, want: number): Promise<string[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 3_000);
  const ids: string[] = [];
  try {
    const res = await fetch(`${hub.url}/api/shows/${SHOW}/stream`, { headers: { authorization: `Bearer ${token}`, 'last-event-id': from }, signal: abort.signal });
    assert.equal(res.status, 200);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      text = lines.pop()!;
      for (const line of lines) if (line.startsWith('id: ')) ids.push(line.slice(4));
      if (ids.length >= want) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return ids;
}

describe('resumes on two hubs on one Redis while a third client publishes', () => {
  let redis: RedisServer;
  let hubs: TestHub[] = [];
  before(async () => {
    redis = await startRedis();
    const env = { HUB_STORE: redis.url, HUB_SECRET: SECRET, HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}` };
    hubs = [await startHub(env), await startHub(env)];
  });
  after(async () => {
    for (const h of hubs) await h.close();
    await redis.destroy();
  });

  it('every resumed connection gets exactly the events after its resume point: no duplicate, no gap', async () => {
    const [a, b] = hubs as [TestHub, TestHub];
    const agent = await a.token('agent');
    const staff = await a.token('staff');
    const published: string[] = [(await postJson(`${a.url}/api/shows/${SHOW}/events`, { type: 'seq' }, agent)).body.ids[0]];
    let publishing = true;
    // The publisher: small batches, back to back, for a bounded count and time.
    const publisher = (async () => {
      const until = Date.now() + 8_000;
      for (let n = 0; n < 1_500 && Date.now() < until; n++) {
        const res = await postJson(`${a.url}/api/shows/${SHOW}/events`, [{ type: 'seq' }, { type: 'seq' }], agent);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        published.push(...res.body.ids);
      }
      publishing = false;
    })();
    // Resumers on both hubs, each from the newest acknowledged id: the replay reads the entries
    // that are landing right now, racing the hub's own stream reader.
    const checked: Array<{ hub: string; from: string; got: string[] }> = [];
    const resumer = async (hub: TestHub, name: string) => {
      while (publishing) {
        const from = published.at(-1)!;
        const got = await resumeAndRead(hub, staff, from, 12);
        checked.push({ hub: name, from, got });
      }
    };
    await Promise.all([publisher, ...[0, 1, 2, 3].map(() => resumer(a, 'A')), ...[0, 1, 2, 3].map(() => resumer(b, 'B'))]);
    assert.ok(checked.length >= 40, `enough resumes ran (${checked.length})`);
    const position = new Map(published.map((id, i) => [id, i]));
    let withEvents = 0;
    for (const { hub, from, got } of checked) {
      const dupes = got.filter((id, i) => got.indexOf(id) !== i);
      assert.deepEqual(dupes, [], `hub ${hub}, resume after ${from}: no duplicate in ${got.join(' ')}`);
      const start = position.get(from)! + 1;
      assert.deepEqual(got, published.slice(start, start + got.length), `hub ${hub}, resume after ${from}: every event after it, once, in order`);
      if (got.length > 0) withEvents++;
      for (let i = 1; i < got.length; i++) assert.ok(eventSeq(got[i]!) > eventSeq(got[i - 1]!));
    }
    assert.ok(withEvents >= checked.length / 2, `most resumes saw live events (${withEvents} of ${checked.length})`);
  });
});
