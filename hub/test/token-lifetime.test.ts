import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { loadConfig } from '../src/config.js';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/** A token signed with the hub's own key, expiring at `exp` (epoch seconds). */
const forge = (key: Uint8Array, exp: number) =>
  new SignJWT({ role: 'admin', shows: ['*'] }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('forever').setIssuedAt().setExpirationTime(exp).sign(key);

/** A correctly signed token that lives for centuries is no better than a stolen password: refused. */
describe('token lifetime: HUB_TOKEN_MAX_DAYS', () => {
  let hub: TestHub;
  let key: Uint8Array;
  const now = () => Math.floor(Date.now() / 1000);
  before(async () => {
    hub = await startHub(); // the default: 30 days
    key = hub.app.tokenKey;
  });
  after(() => hub.close());

  it('a token expiring in the year 3000: 401 naming the limit, on reads and on writes', async () => {
    const year3000 = Math.floor(Date.UTC(3000, 0, 1) / 1000);
    const token = await forge(key, year3000);
    const read = await getJson(`${hub.url}/api/shows`, token);
    assert.equal(read.status, 401);
    assert.equal(read.body.error, 'unauthorized');
    assert.match(read.body.message, /beyond this hub's maximum token lifetime of 30 days \(HUB_TOKEN_MAX_DAYS\)/);
    const write = await postJson(`${hub.url}/api/shows/s/events`, { type: 'note' }, token);
    assert.equal(write.status, 401);
    const stream = await fetch(`${hub.url}/api/stream?access_token=${token}`);
    assert.equal(stream.status, 401);
    await stream.body?.cancel();
    assert.equal((await getJson(`${hub.url}/api/shows/s/events`, await hub.token('staff'))).body.events.length, 0);
  });

  it('31 days refused, 29 days accepted', async () => {
    assert.equal((await getJson(`${hub.url}/api/shows`, await forge(key, now() + 31 * 86400))).status, 401);
    assert.equal((await getJson(`${hub.url}/api/shows`, await forge(key, now() + 29 * 86400))).status, 200);
  });

  it('the hub mints nothing it would refuse: ttlSeconds over the limit is a 400 naming it', async () => {
    const admin = await hub.token('admin');
    const tooLong = await postJson(`${hub.url}/api/auth/tokens`, { sub: 'h', role: 'host', shows: ['s'], ttlSeconds: 31 * 86400 }, admin);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.issues[0].path, 'ttlSeconds');
    assert.match(tooLong.body.message, /at most 2592000 s \(30 days, HUB_TOKEN_MAX_DAYS\)/);
    const ok = await postJson(`${hub.url}/api/auth/tokens`, { sub: 'h', role: 'host', shows: ['s'], ttlSeconds: 30 * 86400 }, admin);
    assert.equal(ok.status, 201);
    assert.equal((await getJson(`${hub.url}/api/shows/s`, ok.body.token)).status, 404); // accepted (no events yet)
  });

  it('a shorter limit is a setting, checked against the LiveKit token lifetime at start', async () => {
    const short = await startHub({ HUB_TOKEN_MAX_DAYS: '0.5', LIVEKIT_TOKEN_TTL_SECONDS: '3600' });
    try {
      const res = await getJson(`${short.url}/api/shows`, await forge(short.app.tokenKey, now() + 86400));
      assert.equal(res.status, 401);
      assert.match(res.body.message, /maximum token lifetime of 0.5 days/);
      assert.equal((await getJson(`${short.url}/api/shows`, await forge(short.app.tokenKey, now() + 3600))).status, 200);
    } finally {
      await short.close();
    }
    assert.throws(() => loadConfig({ HUB_TOKEN_MAX_DAYS: '0.5' }), /LIVEKIT_TOKEN_TTL_SECONDS: must be at most HUB_TOKEN_MAX_DAYS/);
    assert.throws(() => loadConfig({ HUB_TOKEN_MAX_DAYS: '0' }), /HUB_TOKEN_MAX_DAYS: must be more than 0/);
  });
});
