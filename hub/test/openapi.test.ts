import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { mintToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { getJson, postJson, tempDir } from '@showwire/testkit';

/** `/api/shows/:show` → `/api/shows/{show}`, `/*` → `/{*}`: how the document names a Fastify path. */
const documentPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*/g, '{*}');

/** `GET /openapi.json` is valid OpenAPI, lists every route the hub registered, and `/docs` renders it from local files. */
describe('OpenAPI contract', () => {
  const routes: RouteOptions[] = [];
  let url: string;
  let admin: string;
  let dir: string;
  let close: () => Promise<void>;
  before(async () => {
    dir = tempDir();
    const dashboard = join(dir, 'dashboard');
    mkdirSync(dashboard);
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>dashboard</title>');
    const config = loadConfig({ HUB_DATA_DIR: join(dir, 'data'), HUB_DASHBOARD_DIR: dashboard, HUB_LOG_LEVEL: 'silent', HUB_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const { app } = await buildApp(config, { onRoute: (r) => routes.push(r) });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    admin = (await mintToken(app.tokenKey, { sub: 'a', role: 'admin', shows: ['*'] }, 600)).token;
    close = () => app.close();
  });
  after(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await getJson(`${url}/openapi.json`);
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const result = await new Validator().validate(res.body);
    assert.equal(result.valid, true, `invalid OpenAPI: ${JSON.stringify(result.errors, null, 1)?.slice(0, 3000)}`);
  });

  it('lists every registered route, each with its answers and the error shape', async () => {
    const doc = (await getJson(`${url}/openapi.json`)).body;
    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    // HEAD routes are Fastify's automatic twins of GET; hidden ones are /docs' own files and /openapi.json.
    const registered = routes
      .flatMap((r) => [r.method].flat().map((m) => ({ m, r })))
      .filter(({ m, r }) => m !== 'HEAD' && !(r.schema as { hide?: boolean } | undefined)?.hide)
      .map(({ m, r }) => `${m} ${documentPath(r.url)}`);
    assert.ok(registered.length > 40, `only ${registered.length} routes seen`);
    assert.deepEqual([...documented].sort(), [...new Set(registered)].sort());
    for (const key of registered) {
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[path][method.toLowerCase()];
      const statuses = Object.keys(op.responses ?? {});
      assert.ok(statuses.some((s) => /^2\d\d$/.test(s)), `${key} documents no success answer`);
      assert.ok(op.responses['4XX'] ?? op.responses['4xx'], `${key} documents no error answer`);
    }
    const stream = doc.paths['/api/stream'].get.responses['200'].content;
    assert.deepEqual(Object.keys(stream), ['text/event-stream']);
    assert.deepEqual(Object.keys(doc.paths['/'].get.responses['200'].content), ['text/html']);
    assert.deepEqual(Object.keys(doc.paths['/stream-test'].get.responses['200'].content), ['text/html']);
    const history = doc.paths['/api/shows/{show}/events'].get.responses['200'].content['application/json'].schema;
    assert.deepEqual(Object.keys(history.properties).sort(), ['events', 'next', 'truncated']);
  });

  it('serves /docs from the hub itself, with no script or style from elsewhere', async () => {
    const page = await fetch(`${url}/docs/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui/i);
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(sources.length > 0);
    for (const src of sources) assert.doesNotMatch(src, /^(https?:)?\/\//, `${src} is not local`);
    const bundle = await fetch(new URL(sources.find((s) => s.endsWith('.js'))!, `${url}/docs/`));
    assert.equal(bundle.status, 200);
  });

  it('in Chromium, /docs renders the document (under the hub\'s CSP) and makes no request elsewhere', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      const refused: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(url) && !r.url().startsWith('data:')) elsewhere.push(r.url());
      });
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(`${url}/docs/`);
      await page.locator('.swagger-ui .info .title').filter({ hasText: 'Showwire hub' }).waitFor({ timeout: 30_000 });
      // An operation of each kind is listed: JSON, and the SSE stream.
      await page.locator('.opblock-summary-path', { hasText: '/api/shows/{show}/events' }).first().waitFor();
      await page.locator('.opblock-summary-path', { hasText: '/api/stream' }).first().waitFor();
      assert.deepEqual(elsewhere, []);
      assert.deepEqual(refused, []);
    } finally {
      await browser.close();
    }
  });

  it('answers are serialized through their schemas: an endpoint never carries its secret, except where the API says so', async () => {
    const created = await postJson(`${url}/api/webhooks/endpoints`, { url: 'http://127.0.0.1:9/hook' }, admin);
    assert.equal(created.status, 201);
    assert.match(created.body.secret, /^whsec_/);
    const one = await getJson(`${url}/api/webhooks/endpoints/${created.body.id}`, admin);
    const list = await getJson(`${url}/api/webhooks/endpoints`, admin);
    for (const ep of [one.body, list.body.endpoints[0]]) {
      assert.equal(ep.id, created.body.id);
      assert.deepEqual(Object.keys(ep).sort(), ['breaker', 'createdAt', 'description', 'disabledReason', 'enabled', 'failingSince', 'id', 'shows', 'types', 'updatedAt', 'url']);
    }
  });
});
