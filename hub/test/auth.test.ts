import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { getJson, postJson, REPO_ROOT, startHub, tempDir, type TestHub, listen, waitFor, assertNothingLeaked } from '@showwire/testkit';

const run = promisify(execFile);
const SECRET = 'auth-test-secret-0123456789-abcdefghij';
const PRIVATE = 'the host whispers the supplier price';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('access control', () => {
  let hub: TestHub;
  let admin: string;
  let agent: string;
  before(async () => {
    // debug: successful requests are logged too (at info only refusals are), so every path a token could leak by is written.
    hub = await startHub({ HUB_SECRET: SECRET, HUB_HEARTBEAT_MS: '200', HUB_LOG_LEVEL: 'debug' });
    admin = await hub.token('admin');
    agent = await hub.token('agent', ['show-a']);
    // show-a: one private and one public event of each kind a viewer must (not) see.
    const res = await postJson(`${hub.url}/api/shows/show-a/events`, [
      { type: 'transcript', text: PRIVATE, role: 'user' },
      { type: 'tool_call', name: 'lookup_cost', args: { secret: PRIVATE }, durationMs: 3 },
      { type: 'agent_error', message: PRIVATE },
      { type: 'product_created', product: { id: 'p1', name: 'Mug', price: 9, currency: 'EUR' } },
    ], agent);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  after(() => hub.close());

  it('no token: 401 with WWW-Authenticate, and no data', async () => {
    for (const path of ['/api/shows', '/api/shows/show-a', '/api/shows/show-a/events', '/api/stream', '/metrics']) {
      const res = await getJson(`${hub.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal(res.body.error, 'unauthorized');
      assertNothingLeaked(res.body, PRIVATE);
    }
    const post = await postJson(`${hub.url}/api/shows/show-a/events`, { type: 'x.probe' });
    assert.equal(post.status, 401);
    assertNothingLeaked(post.body);
  });

  it('bad signature, expired, `none` algorithm and claimless tokens: 401 naming the reason, never the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { role: 'admin', shows: ['*'] };
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime(now + 3600).sign(new TextEncoder().encode('not-the-hub-secret-0123456789-abcdef'));
    const expired = await hub.token('admin', ['*'], -30);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: 'mallory', exp: now + 3600 })}.`;
    const noExp = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').sign(new TextEncoder().encode(SECRET));
    const cases: Array<[string, string, RegExp]> = [
      ['bad signature', forged, /signature is invalid/],
      ['expired', expired, /expired/],
      ['none algorithm', none, /malformed|algorithm/],
      ['no exp', noExp, /claims are invalid/],
    ];
    for (const [name, token, reason] of cases) {
      const res = await getJson(`${hub.url}/api/shows/show-a/events`, token);
      assert.equal(res.status, 401, name);
      assert.match(res.body.message, reason, name);
      assertNothingLeaked(res.body, PRIVATE, token);
      const post = await postJson(`${hub.url}/api/shows/show-a/events`, { type: 'x.forged' }, token);
      assert.equal(post.status, 401, name);
    }
    const stored = await getJson(`${hub.url}/api/shows/show-a/events?types=x.forged`, admin);
    assert.deepEqual(stored.body.events, [], 'nothing a rejected token sent was stored');
  });

  it('wrong show: 403 to read or publish, nothing stored, nothing of the other show in the answer', async () => {
    const host = await hub.token('host', ['show-b']);
    for (const path of ['/api/shows/show-a', '/api/shows/show-a/events', '/api/shows/show-a/stream', '/api/stream?shows=show-a']) {
      const res = await getJson(`${hub.url}${path}`, host);
      assert.equal(res.status, 403, path);
      assert.match(res.body.message, /does not cover show "show-a"/);
      assertNothingLeaked(res.body, PRIVATE);
    }
    const list = await getJson(`${hub.url}/api/shows`, host);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.shows, [], 'the list holds only the shows the token covers');
    const otherAgent = await hub.token('agent', ['show-b']);
    const post = await postJson(`${hub.url}/api/shows/show-a/events`, { type: 'x.intruder' }, otherAgent);
    assert.equal(post.status, 403);
    assertNothingLeaked(post.body);
    const viaGuidePath = await postJson(`${hub.url}/api/agent/data`, { type: 'x.intruder', show: 'show-a' }, otherAgent);
    assert.equal(viaGuidePath.status, 403);
    const stored = await getJson(`${hub.url}/api/shows/show-a/events?types=x.intruder`, admin);
    assert.deepEqual(stored.body.events, []);
  });

  it('agent cannot read: 403 on history, state, list and streams', async () => {
    for (const path of ['/api/shows', '/api/shows/show-a', '/api/shows/show-a/events', '/api/shows/show-a/stream', '/api/stream', '/metrics']) {
      const res = await getJson(`${hub.url}${path}`, agent);
      assert.equal(res.status, 403, path);
      assertNothingLeaked(res.body, PRIVATE);
    }
  });

  it('staff cannot publish: 403, and the event is not stored', async () => {
    const staff = await hub.token('staff');
    const res = await postJson(`${hub.url}/api/shows/show-a/events`, { type: 'x.staff' }, staff);
    assert.equal(res.status, 403);
    assert.match(res.body.message, /cannot publish/);
    assertNothingLeaked(res.body);
    const stored = await getJson(`${hub.url}/api/shows/show-a/events?types=x.staff`, admin);
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.events, []);
  });

  it('only an admin mints tokens over HTTP, and the minted token works', async () => {
    const body = { sub: 'host-1', role: 'host', shows: ['show-a'], ttlSeconds: 600 };
    const staff = await postJson(`${hub.url}/api/auth/tokens`, body, await hub.token('staff'));
    assert.equal(staff.status, 403);
    assertNothingLeaked(staff.body);
    const minted = await postJson(`${hub.url}/api/auth/tokens`, body, admin);
    assert.equal(minted.status, 201);
    assert.equal((await getJson(`${hub.url}/api/shows/show-a`, minted.body.token)).status, 200);
    assert.equal((await getJson(`${hub.url}/api/shows/show-b`, minted.body.token)).status, 403);
  });

  it('viewer: only public types on the live stream, on resume and in history; no transcript in show state or list', async () => {
    const viewer = await hub.token('viewer', ['show-a']);
    // Resume from the start: the replay must skip the private events stored in before().
    const resumed = listen(`${hub.url}/api/shows/show-a/stream?lastEventId=0`, { token: viewer });
    const live = listen(`${hub.url}/api/stream`, { token: viewer });
    await Promise.all([resumed.opened(), live.opened()]);
    const sent = await postJson(`${hub.url}/api/shows/show-a/events`, [
      { type: 'transcript', text: PRIVATE, role: 'agent' },
      { type: 'tool_call', name: 'lookup_cost', args: {}, output: PRIVATE, durationMs: 1 },
      { type: 'viewer_joined', viewers: 7 },
    ], agent);
    assert.equal(sent.status, 201);
    const lastId = sent.body.ids[2];
    // Events arrive in id order, so once the last (public) one is in, the private ones had their chance.
    await resumed.until(() => resumed.events.some((e) => e.id === lastId), 20_000, 'resumed viewer_joined');
    await live.until(() => live.events.some((e) => e.id === lastId), 20_000, 'live viewer_joined');
    resumed.close();
    live.close();
    assert.deepEqual(resumed.events.map((e) => e.data.type), ['product_created', 'viewer_joined']);
    assert.deepEqual(live.events.map((e) => e.data.type), ['viewer_joined']);
    for (const c of [resumed, live]) assert.ok(!JSON.stringify(c.events).includes(PRIVATE));

    const history = await getJson(`${hub.url}/api/shows/show-a/events`, viewer);
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.events.map((e: { type: string }) => e.type), ['product_created', 'viewer_joined']);
    const asked = await getJson(`${hub.url}/api/shows/show-a/events?types=transcript,tool_call`, viewer);
    assert.deepEqual(asked.body.events, [], 'asking for private types by name gets none');
    const stream = await getJson(`${hub.url}/api/shows/show-a/stream?types=transcript`, viewer);
    assert.equal(stream.status, 403);
    assertNothingLeaked(stream.body, PRIVATE);

    const state = await getJson(`${hub.url}/api/shows/show-a`, viewer);
    assert.equal(state.status, 200);
    assert.equal(state.body.viewers, 7);
    assert.deepEqual(state.body.transcript, []);
    const list = await getJson(`${hub.url}/api/shows`, viewer);
    assert.equal(list.body.shows.length, 1);
    for (const body of [state.body, list.body]) {
      const text = JSON.stringify(body);
      assert.ok(!text.includes(PRIVATE), 'no transcript text, tool output or error message');
      assert.ok(!text.includes('lookup_cost'), 'no tool calls');
    }
  });

  it('access_token in the query and the cookie work for GET (even where the route has a querystring schema), never for POST', async () => {
    const staff = await hub.token('staff', ['*'], 3600, 'query-user');
    const viaQuery = await getJson(`${hub.url}/api/shows/show-a/events?limit=5&access_token=${staff}`);
    assert.equal(viaQuery.status, 200);
    const viaCookie = await fetch(`${hub.url}/api/shows/show-a`, { headers: { cookie: `showwire_token=${staff}` } });
    assert.equal(viaCookie.status, 200);
    await viaCookie.body?.cancel();
    // A cookie rides along on cross-site form posts: publishing needs the Authorization header.
    const publisher = await hub.token('agent', ['show-a']);
    const posted = await postJson(`${hub.url}/api/shows/show-a/events?access_token=${publisher}`, { type: 'x.csrf' }, undefined, { cookie: `showwire_token=${publisher}` });
    assert.equal(posted.status, 401);
    assertNothingLeaked(posted.body, publisher);
  });

  it('a token in the query string is absent from the logs, valid or not', async () => {
    const staff = await hub.token('staff', ['*'], 3600, 'log-probe');
    const client = listen(`${hub.url}/api/stream?access_token=${encodeURIComponent(staff)}`);
    await client.opened();
    client.close();
    const bad = `${staff.slice(0, -6)}AAAAAA`;
    assert.equal((await getJson(`${hub.url}/api/shows?access_token=${bad}`)).status, 401);
    assert.equal((await getJson(`${hub.url}/api/shows`, staff)).status, 200);
    // The stream's line is written when it closes.
    await waitFor('the stream line', () => hub.logs().includes('stream closed'));
    const logs = hub.logs();
    assert.match(logs, /"url":"\/api\/stream\?access_token=\[redacted\]"/, 'the accepted stream request was logged, with the token redacted');
    assert.match(logs, /"url":"\/api\/shows\?access_token=\[redacted\]"/, 'the refused request was logged, with the token redacted');
    for (const secret of [staff, bad, staff.split('.')[2]!, bad.split('.')[2]!, SECRET]) {
      assert.ok(!logs.includes(secret), `log contains ${secret.slice(0, 16)}…`);
    }
  });

  it('a stream closes when its token expires, and the same token cannot reopen it', async () => {
    const short = await hub.token('staff', ['*'], 2);
    const exp = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()).exp as number;
    const res = await fetch(`${hub.url}/api/stream`, { headers: { authorization: `Bearer ${short}` } });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let ended = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
    }
    assert.ok(ended, 'the server ended the stream');
    assert.ok(Date.now() >= exp * 1000 - 50, 'not before the token expired');
    const again = await getJson(`${hub.url}/api/stream`, short);
    assert.equal(again.status, 401);
    assert.match(again.body.message, /expired/);
  });

  it('a stream with a token longer-lived than a timer can wait (30 days) stays open', async () => {
    const long = await hub.token('staff', ['*'], 30 * 24 * 3600);
    const client = listen(`${hub.url}/api/shows/show-a/stream`, { token: long });
    await client.opened();
    // Heartbeats come every 200 ms; a stream closed at once would have reconnected by the third.
    await client.until(() => client.notices.filter((n) => n.type === 'heartbeat').length >= 3, 20_000, 'three heartbeats');
    client.close();
    assert.equal(client.opens(), 1);
  });
});

describe('token CLI', () => {
  it('mints, from the secret file the hub created, a token the hub accepts with the asked role, shows and lifetime', async () => {
    const dataDir = tempDir();
    const hub = await startHub({ HUB_DATA_DIR: dataDir });
    try {
      const env = { ...process.env, HUB_DATA_DIR: dataDir, HUB_SECRET: '' };
      const { stdout } = await run('npm', ['run', '-s', 'token', '-w', 'hub', '--', '--role', 'host', '--shows', 'show-1,show-2', '--ttl', '600'], { cwd: REPO_ROOT, env, timeout: 60_000 });
      const token = stdout.trim();
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      assert.deepEqual({ role: claims.role, shows: claims.shows, sub: claims.sub }, { role: 'host', shows: ['show-1', 'show-2'], sub: 'cli-host' });
      assert.equal(claims.exp - claims.iat, 600);
      assert.equal((await getJson(`${hub.url}/api/shows`, token)).status, 200);
      assert.equal((await getJson(`${hub.url}/api/shows/show-3/events`, token)).status, 403);
      await assert.rejects(
        run('npm', ['run', '-s', 'token', '-w', 'hub', '--', '--role', 'host'], { cwd: REPO_ROOT, env: { ...env, HUB_DATA_DIR: tempDir() }, timeout: 60_000 }),
        (e: { stderr: string }) => /no key: set HUB_SECRET/.test(e.stderr),
      );
    } finally {
      await hub.close();
    }
  });
});
