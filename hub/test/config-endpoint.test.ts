import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, readHistory, requestJson, startHub, startLiveKit, startRedis, tempDir, type LiveKitServer, type RedisServer, type TestHub } from '@showwire/testkit';

/** The live-sessions guide's GET/PUT /api/config against a real LiveKit server: checked, stored, applied, audited, no secret shown. */

/** The `connect-src` directive of the CSP a page of the hub is served with. */
async function connectSrc(base: string): Promise<string> {
  const csp = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
  return csp.split(';').find((d) => d.trim().startsWith('connect-src'))?.trim() ?? '';
}

describe('GET/PUT /api/config', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let admin: string;
  let dataDir: string;
  const put = (body: unknown, token = admin) => requestJson('PUT', `${hub.url}/api/config`, token, body);

  before(async () => {
    lk = await startLiveKit();
    dataDir = tempDir();
    // The environment names a LiveKit URL only: that is the default the stored settings override.
    hub = await startHub({ HUB_DATA_DIR: dataDir, LIVEKIT_URL: 'ws://127.0.0.1:1' });
    admin = await hub.token('admin');
  });
  after(async () => {
    await hub?.close();
    await lk?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is for admins only, and shows secrets as set or unset with where each value comes from', async () => {
    for (const role of ['staff', 'host'] as const) {
      const res = await getJson(`${hub.url}/api/config`, await hub.token(role));
      assert.deepEqual([res.status, res.body.error], [403, 'forbidden']);
    }
    const res = await getJson(`${hub.url}/api/config`, admin);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      livekit_url: 'ws://127.0.0.1:1',
      livekit_api_key: 'unset',
      livekit_api_secret: 'unset',
      recording_directory: join(dataDir, 'recordings'),
      sources: { livekit_url: 'environment', livekit_api_key: 'unset', livekit_api_secret: 'unset', recording_directory: 'default' },
    });
    assert.equal((await getJson(`${hub.url}/api/livekit/token?room=r1&username=u`, admin)).body.error, 'livekit_unconfigured');
    assert.match(await connectSrc(hub.url), /ws:\/\/127\.0\.0\.1:1(\s|$)/, 'the environment\'s LiveKit, to begin with');
  });

  it('refuses credentials the LiveKit server does not accept, and bad values, leaving the settings as they were', async () => {
    const wrong = await put({ livekit_url: lk.url, livekit_api_key: lk.apiKey, livekit_api_secret: 'not-the-secret' });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    assert.equal(wrong.body.error, 'validation_failed');
    assert.match(wrong.body.message, /LiveKit at ws:\/\/127\.0\.0\.1:\d+ did not accept these settings/);
    assert.ok(!JSON.stringify(wrong.body).includes('not-the-secret'), 'the secret is not echoed');
    assert.ok(!/eyJ/.test(JSON.stringify(wrong.body)), 'nor a token signed with it');
    const half = await put({ livekit_api_key: lk.apiKey });
    assert.equal(half.status, 400);
    assert.deepEqual(half.body.issues.map((i: { path: string }) => i.path), ['livekit_api_secret']);
    for (const [body, path] of [[{ livekit_url: 'ftp://x' }, 'livekit_url'], [{ recording_directory: 'relative/dir' }, 'recording_directory'], [{ nope: 1 }, ''], [{}, '']] as const) {
      const res = await put(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, 'validation_failed');
      if (path) assert.ok(res.body.issues.some((i: { path: string }) => i.path === path), JSON.stringify(res.body));
    }
    const notADir = join(dataDir, 'settings-file');
    writeFileSync(notADir, 'a file, not a directory');
    const unwritable = await put({ recording_directory: join(notADir, 'recordings') });
    assert.deepEqual([unwritable.status, unwritable.body.issues?.[0]?.path], [400, 'recording_directory']);
    assert.equal((await getJson(`${hub.url}/api/config`, admin)).body.livekit_api_key, 'unset');
  });

  it('accepts working credentials, applies them at once, stores them in the data dir, and audits the change without values', async () => {
    const recDir = join(dataDir, 'elsewhere');
    const ok = await put({ livekit_url: lk.url, livekit_api_key: lk.apiKey, livekit_api_secret: lk.apiSecret, recording_directory: recDir });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, {
      livekit_url: lk.url,
      livekit_api_key: 'set',
      livekit_api_secret: 'set',
      recording_directory: recDir,
      sources: { livekit_url: 'stored', livekit_api_key: 'stored', livekit_api_secret: 'stored', recording_directory: 'stored' },
    });
    // Applied: the LiveKit routes now work against that server.
    const token = await getJson(`${hub.url}/api/livekit/token?room=r1&username=u`, admin);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.url, lk.url);
    assert.ok(statSync(recDir).isDirectory());
    // The pages' CSP lets the studio open the new LiveKit at once, and no longer the old one.
    const connect = await connectSrc(hub.url);
    assert.ok(connect.includes(` ${lk.url}`) && !/127\.0\.0\.1:1(\s|$)/.test(connect), connect);

    const audit = (await readHistory(hub.url, 'default', admin)).filter((e) => e.type === 'config_changed');
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0].changed, ['livekit_url', 'livekit_api_key', 'livekit_api_secret', 'recording_directory']);
    assert.equal(audit[0].by, 'admin-test');
    // Names only: no field carries a value (the dev server's secret is the word "secret", hence the quotes).
    assert.deepEqual(Object.keys(audit[0]).sort(), ['by', 'changed', 'id', 'receivedAt', 'show', 'source', 'timestamp', 'type']);
    assert.ok(!JSON.stringify(audit[0]).includes(`"${lk.apiSecret}"`) && !JSON.stringify(audit[0]).includes(lk.url), JSON.stringify(audit[0]));

    const file = join(dataDir, 'settings.json');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the file with the secret is the hub user\'s only');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).livekit_api_secret, lk.apiSecret);

    // Kept across a restart; null drops a stored value and the environment's applies again.
    await hub.close();
    hub = await startHub({ HUB_DATA_DIR: dataDir, LIVEKIT_URL: 'ws://127.0.0.1:1' });
    admin = await hub.token('admin');
    assert.equal((await getJson(`${hub.url}/api/config`, admin)).body.sources.livekit_api_secret, 'stored');
    const back = await put({ recording_directory: null });
    assert.equal(back.status, 200);
    assert.equal(back.body.recording_directory, join(dataDir, 'recordings'));
    assert.equal(back.body.sources.recording_directory, 'default');
    const audits = (await readHistory(hub.url, 'default', admin)).filter((e) => e.type === 'config_changed');
    assert.deepEqual(audits.at(-1).changed, ['recording_directory']);
  });
});

describe('/api/config with many hubs on one Redis', () => {
  let redis: RedisServer;
  let lk: LiveKitServer;
  const hubs: TestHub[] = [];
  before(async () => {
    [redis, lk] = await Promise.all([startRedis(), startLiveKit()]);
  });
  after(async () => {
    for (const h of hubs) await h.close();
    await lk?.stop();
    await redis?.destroy();
  });

  it('a change made on one hub is applied by every hub, and by a hub that starts later', async () => {
    const env = { HUB_STORE: redis.url, HUB_SECRET: 's'.repeat(40) };
    hubs.push(await startHub(env), await startHub(env));
    const [a, b] = hubs as [TestHub, TestHub];
    const admin = await a.token('admin');
    const res = await requestJson('PUT', `${a.url}/api/config`, admin, { livekit_url: lk.url, livekit_api_key: lk.apiKey, livekit_api_secret: lk.apiSecret });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const deadline = Date.now() + 10_000;
    let onB = await getJson(`${b.url}/api/livekit/token?room=r&username=u`, admin);
    while (onB.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      onB = await getJson(`${b.url}/api/livekit/token?room=r&username=u`, admin);
    }
    assert.equal(onB.status, 200, JSON.stringify(onB.body));
    assert.equal(onB.body.url, lk.url);
    assert.ok((await connectSrc(b.url)).includes(` ${lk.url}`), 'the other hub\'s pages let the studio reach it too');
    hubs.push(await startHub(env));
    const later = await getJson(`${hubs[2]!.url}/api/config`, admin);
    assert.equal(later.body.livekit_api_secret, 'set');
    assert.equal(later.body.sources.livekit_api_secret, 'stored');
  });
});
