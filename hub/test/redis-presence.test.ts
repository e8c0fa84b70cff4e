import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { getJson, spawnHub, type HubProcess, startRedis, type RedisServer, listen } from '@showwire/testkit';

const SECRET = 's'.repeat(40);
const token = async (role: 'staff' | 'host' | 'viewer', sub: string) =>
  (await mintToken(new TextEncoder().encode(SECRET), { sub, role, shows: ['p-show'] }, 3600)).token;
const subs = (n: any) => (n.watchers as any[]).map((w) => `${w.role}:${w.sub}`);

describe('presence on two hubs sharing one Redis', () => {
  let redis: RedisServer;
  const hubs: HubProcess[] = [];
  before(async () => {
    redis = await startRedis();
    // A short TTL: a SIGKILLed hub's watchers lapse within 1.5 s (refreshed every 0.5 s).
    const env = { HUB_STORE: redis.url, HUB_SECRET: SECRET, HUB_DATA_DIR: `/tmp/showwire-unused-${process.pid}`, HUB_PRESENCE_TTL_MS: '1500' };
    hubs.push(await spawnHub(env), await spawnHub(env));
  });
  after(async () => {
    for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await redis.destroy();
  });

  const presence = async (h: HubProcess) => {
    const res = await getJson(`${h.url}/api/shows/p-show/presence`, await token('staff', 'asker'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return subs(res.body);
  };
  const watch = async (h: HubProcess, role: 'staff' | 'host' | 'viewer', sub: string) => {
    const s = listen(`${h.url}/api/stream?shows=p-show`, { token: await token(role, sub) });
    await s.opened();
    return s;
  };
  const lastNotice = (s: ReturnType<typeof listen>) => s.notices.filter((n) => n.type === 'presence').at(-1);

  it('every hub lists and announces the watchers of every hub; a departure and a dead hub are seen everywhere', async () => {
    const [a, b] = [hubs[0]!, hubs[1]!];
    const sam = await watch(a, 'staff', 'sam');
    const kim = await watch(b, 'staff', 'kim');
    const kimOnA = await watch(a, 'staff', 'kim'); // kim on both hubs is one person
    const hana = await watch(b, 'host', 'hana');
    const vic = await watch(a, 'viewer', 'vic');
    const everyone = ['staff:sam', 'staff:kim', 'host:hana'];

    // Sam, on A, is told of kim and hana, who arrived on B.
    await sam.until(() => lastNotice(sam)?.watchers.length === 3, 10_000, 'a notice on A naming the watchers of B');
    assert.deepEqual(subs(lastNotice(sam)), everyone);
    await hana.until(() => lastNotice(hana)?.watchers.length === 3, 10_000, 'a notice on B naming the watchers of A');
    assert.deepEqual(await presence(a), everyone);
    assert.deepEqual(await presence(b), everyone);
    assert.equal(sam.events.length, 0, 'presence notices carry no id');

    // Kim leaves B but still watches on A: still listed. Then leaves A too: gone on both hubs.
    kim.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await presence(b), everyone);
    kimOnA.close();
    await hana.until(() => lastNotice(hana)?.watchers.length === 2, 10_000, 'kim gone, told on B');
    assert.deepEqual(subs(lastNotice(hana)), ['staff:sam', 'host:hana']);
    assert.deepEqual(await presence(b), ['staff:sam', 'host:hana']);

    // B dies without a word: its watchers lapse after the TTL, and A's streams are told.
    b.child.kill('SIGKILL');
    await b.exited;
    await sam.until(() => lastNotice(sam)?.watchers.length === 1, 10_000, 'hana (on dead B) gone, told on A');
    assert.deepEqual(subs(lastNotice(sam)), ['staff:sam']);
    assert.deepEqual(await presence(a), ['staff:sam']);
    assert.ok(!vic.notices.some((n) => n.type === 'presence'), 'viewers are not told who supervises');
    for (const s of [sam, hana, vic]) s.close();
  });
});
