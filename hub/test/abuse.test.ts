import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { mintToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { getJson, postJson, startHub, tempDir, type TestHub, assertNothingLeaked } from '@showwire/testkit';

const stored = async (hub: TestHub, token: string, type: string) =>
  (await getJson(`${hub.url}/api/shows/abuse/events?types=${type}&limit=1000`, token)).body.events.length as number;

describe('body size limits', () => {
  let hub: TestHub;
  let agent: string;
  let admin: string;
  before(async () => {
    hub = await startHub({ HUB_BODY_LIMIT: '4096' });
    agent = await hub.token('agent');
    admin = await hub.token('admin');
  });
  after(() => hub.close());

  it('oversize ingest body: 413 naming the limit, nothing stored', async () => {
    const big = { type: 'x.big', pad: 'a'.repeat(5000) };
    for (const path of ['/api/shows/abuse/events', '/api/agent/data']) {
      const res = await postJson(`${hub.url}${path}`, { ...big, show: 'abuse' }, agent);
      assert.equal(res.status, 413, path);
      assert.equal(res.body.error, 'payload_too_large');
      assert.match(res.body.message, /limit of 4096 bytes/);
      assertNothingLeaked(res.body);
    }
    assert.equal(await stored(hub, admin, 'x.big'), 0);
  });

  it('oversize token request and oversize body on a route without its own limit: 413', async () => {
    const mint = await postJson(`${hub.url}/api/auth/tokens`, { sub: 'x', role: 'viewer', shows: Array.from({ length: 20_000 }, (_, i) => `show-${i}`) }, admin);
    assert.equal(mint.status, 413);
    assertNothingLeaked(mint.body);
    const other = await postJson(`${hub.url}/api/no-such-route`, { pad: 'a'.repeat(300 * 1024) }, admin);
    assert.equal(other.status, 413, 'the default body limit (256 KiB) applies to every route that sets none');
  });
});

describe('rate limits', () => {
  it('a burst over the per-IP limit gets 429 with Retry-After; the refused events are not stored; other routes are not limited', async () => {
    const hub = await startHub({ HUB_RATE_LIMIT_INGEST_IP: '5', HUB_RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const tokens = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => hub.token('agent', ['*'], 3600, `agent-${i}`)));
      const answers = [];
      // Different tokens: only the IP limit can stop them.
      for (const t of tokens) answers.push(await postJson(`${hub.url}/api/shows/abuse/events`, { type: 'x.burst' }, t));
      assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201, 429, 429]);
      const refused = answers[5]!;
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
      assert.equal(refused.body.error, 'rate_limited');
      assertNothingLeaked(refused.body, tokens[5]!);
      const guidePath = await postJson(`${hub.url}/api/agent/data`, { type: 'x.burst', show: 'abuse' }, tokens[0]);
      assert.equal(guidePath.status, 429, 'the guide path shares the ingest limits');
      const admin = await hub.token('admin');
      assert.equal(await stored(hub, admin, 'x.burst'), 5);
      for (let i = 0; i < 10; i++) assert.equal((await getJson(`${hub.url}/api/shows`, admin)).status, 200);
    } finally {
      await hub.close();
    }
  });

  it('per token: one token over its limit gets 429 with Retry-After while another token from the same IP goes on', async () => {
    const hub = await startHub({ HUB_RATE_LIMIT_INGEST: '3', HUB_RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const [a, b] = await Promise.all([hub.token('agent', ['*'], 3600, 'a'), hub.token('agent', ['*'], 3600, 'b')]);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await postJson(`${hub.url}/api/shows/abuse/events`, { type: 'x.tok' }, a));
      assert.deepEqual(answers.map((r) => r.status), [201, 201, 201, 429]);
      assert.ok(Number(answers[3]!.headers.get('retry-after')) >= 1, 'Retry-After on the per-token 429');
      assert.match(answers[3]!.body.message, /with this token/);
      assertNothingLeaked(answers[3]!.body, a);
      assert.equal((await postJson(`${hub.url}/api/shows/abuse/events`, { type: 'x.tok' }, b)).status, 201, 'another token is not held back');
      assert.equal(await stored(hub, await hub.token('admin'), 'x.tok'), 4);
    } finally {
      await hub.close();
    }
  });

  it('token minting is limited per IP and per token', async () => {
    const hub = await startHub({ HUB_RATE_LIMIT_TOKENS: '2', HUB_RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const admin = await hub.token('admin');
      const body = { sub: 'v', role: 'viewer', shows: ['s'] };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await postJson(`${hub.url}/api/auth/tokens`, body, admin));
      assert.deepEqual(statuses.map((s) => s.status), [201, 201, 429]);
      assert.ok(Number(statuses[2]!.headers.get('retry-after')) >= 1);
      assert.ok(!('token' in statuses[2]!.body), 'no token in a refused answer');
      // Guessing tokens without one counts against the IP too.
      assert.equal((await postJson(`${hub.url}/api/auth/tokens`, body, 'guess')).status, 429);
    } finally {
      await hub.close();
    }
  });

  it('the default limits let one machine post 1,000 requests in a burst (other test suites rely on it)', async () => {
    const hub = await startHub();
    try {
      const agent = await hub.token('agent');
      const statuses = new Map<number, number>();
      for (let wave = 0; wave < 10; wave++) {
        const res = await Promise.all(Array.from({ length: 100 }, (_, i) => postJson(`${hub.url}/api/agent/data`, { type: 'x.load', show: 'abuse', n: wave * 100 + i }, agent)));
        for (const r of res) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
      assert.deepEqual([...statuses], [[201, 1000]]);
    } finally {
      await hub.close();
    }
  });
});

describe('CORS', () => {
  let hub: TestHub;
  let staff: string;
  before(async () => {
    hub = await startHub({ HUB_CORS_ORIGINS: 'https://shop.example, https://studio.example' });
    staff = await hub.token('staff');
  });
  after(() => hub.close());

  const corsHeaders = (h: Headers) => [...h.keys()].filter((k) => k.startsWith('access-control-'));

  it('a disallowed origin gets no CORS headers, on requests, preflights and streams', async () => {
    const origin = 'https://evil.example';
    const get = await fetch(`${hub.url}/api/shows`, { headers: { origin, authorization: `Bearer ${staff}` } });
    assert.equal(get.status, 200, 'the server answers; the browser keeps it from the page');
    assert.deepEqual(corsHeaders(get.headers), []);
    await get.body?.cancel();
    const preflight = await fetch(`${hub.url}/api/shows/x/events`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.deepEqual(corsHeaders(preflight.headers), []);
    assert.notEqual(preflight.status, 204);
    await preflight.body?.cancel();
    const stream = await fetch(`${hub.url}/api/stream?access_token=${staff}`, { headers: { origin } });
    assert.equal(stream.status, 200);
    assert.deepEqual(corsHeaders(stream.headers), []);
    await stream.body?.cancel();
    // A near miss is not a match.
    const sub = await fetch(`${hub.url}/healthz`, { headers: { origin: 'https://shop.example.evil.example' } });
    assert.deepEqual(corsHeaders(sub.headers), []);
    await sub.body?.cancel();
  });

  it('a listed origin is echoed, with credentials, on requests, preflights and streams', async () => {
    const origin = 'https://studio.example';
    const preflight = await fetch(`${hub.url}/api/shows/x/events`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const stream = await fetch(`${hub.url}/api/stream`, { headers: { origin, cookie: `showwire_token=${staff}` } });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get('access-control-allow-origin'), origin);
    assert.equal(stream.headers.get('access-control-allow-credentials'), 'true');
    assert.match(stream.headers.get('vary') ?? '', /Origin/i);
    await stream.body?.cancel();
  });

  it('`*` only with HUB_AUTH=off, and never with credentials', async () => {
    const open = await startHub({ HUB_AUTH: 'off' });
    try {
      const res = await fetch(`${open.url}/api/shows`, { headers: { origin: 'https://anyone.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      await res.body?.cancel();
    } finally {
      await open.close();
    }
    const res = await fetch(`${hub.url}/healthz`, { headers: { origin: 'https://anyone.example' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.body?.cancel();
  });
});

describe('errors and security headers', () => {
  const PAGE_SCRIPT = "document.getElementById('out').textContent = 'inline ran';";
  const page = `<!doctype html><html><head><title>t</title></head><body><p id="out">not run</p>
<script>${PAGE_SCRIPT}</script>
</body></html>`;
  let url: string;
  let close: () => Promise<void>;
  let dashboardDir: string;
  let dataDir: string;
  let agent: string;

  before(async () => {
    dataDir = tempDir();
    dashboardDir = tempDir();
    mkdirSync(join(dashboardDir, 'assets'));
    // A dashboard build with an inline script (served as a file stream by @fastify/static).
    writeFileSync(join(dashboardDir, 'index.html'), page);
    const config = loadConfig({ HUB_DATA_DIR: dataDir, HUB_DASHBOARD_DIR: dashboardDir, HUB_LOG_LEVEL: 'silent' });
    const { app, shutdown } = await buildApp(config);
    // Routes that fail the way a bug would: an internal error with a path and stack, and one
    // whose message names internals.
    app.get('/test/boom', async () => {
      throw new Error('ENOENT: open /srv/showwire/hub/src/secret-config.ts');
    });
    agent = (await mintToken(app.tokenKey, { sub: 'a', role: 'agent', shows: ['*'] }, 600)).token;
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await shutdown();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(dashboardDir, { recursive: true, force: true });
    };
  });
  after(() => close());

  it('errors never leak stack traces or internals: 500, 400, 404, 415', async () => {
    const boom = await getJson(`${url}/test/boom`);
    assert.equal(boom.status, 500);
    assert.equal(boom.body.error, 'internal');
    assertNothingLeaked(boom.body, 'ENOENT', 'secret-config');
    const badJson = await postJson(`${url}/api/agent/data`, '{"type": ', agent);
    assert.equal(badJson.status, 400);
    assertNothingLeaked(badJson.body, agent);
    const missing = await getJson(`${url}/api/nothing-here?access_token=${agent}`);
    assert.equal(missing.status, 404);
    assertNothingLeaked(missing.body, agent);
    const text = await postJson(`${url}/api/agent/data`, 'type=x', agent, { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    assertNothingLeaked(text.body, agent);
  });

  it('security headers on every answer, and a CSP that allows exactly the inline scripts the hub serves', async () => {
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline[^;]*;?\s*$|script-src[^;]*unsafe-inline/);
    await res.body?.cancel();

    const dash = await fetch(`${url}/`);
    const dashCsp = dash.headers.get('content-security-policy') ?? '';
    assert.equal(await dash.text(), page, 'the page itself is sent unchanged');
    const hash = `'sha256-${createHash('sha256').update(PAGE_SCRIPT).digest('base64')}'`;
    assert.ok(dashCsp.includes(`script-src 'self' ${hash}`), dashCsp);
  });

  it('in Chromium, the served inline script runs and a script the hub did not serve is blocked', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const tab = await browser.newPage();
      const violations: string[] = [];
      tab.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
      await tab.goto(`${url}/`);
      await tab.waitForFunction(() => document.getElementById('out')?.textContent === 'inline ran', undefined, { timeout: 20_000 });
      assert.deepEqual(violations, [], 'the page the hub served runs without a CSP violation');
      // Injected markup: an inline handler and a script the hub never served must not run.
      const evil = await tab.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.evil = 3';
        document.body.append(s);
        const img = document.createElement('img');
        img.setAttribute('onerror', 'window.evil = 2');
        // Attribute handlers run before listeners added later, so once this fires the handler had its turn.
        const fired = new Promise((r) => img.addEventListener('error', r));
        img.src = 'data:image/png;base64,AAAA';
        document.body.append(img);
        await fired;
        return (window as unknown as { evil?: number }).evil;
      });
      assert.equal(evil, undefined);
    } finally {
      await browser.close();
    }
  });
});
