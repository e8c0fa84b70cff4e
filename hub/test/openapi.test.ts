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
      .filter(({ m, r }) => m !== 'HEAD' && !r.schema?.hide)
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

  it('every operation has a summary, a description and one declared tag; every declared tag has a description and operations', async () => {
    const doc = (await getJson(`${url}/openapi.json`)).body;
    const declared = new Map<string, string>(doc.tags.map((t: { name: string; description: string }) => [t.name, t.description]));
    const used = new Set<string>();
    const missing: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { summary?: string; description?: string; tags?: string[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (!op.summary?.trim()) missing.push(`${key}: no summary`);
        if (!op.description || op.description.length < 20) missing.push(`${key}: no description`);
        if (op.tags?.length !== 1 || !declared.has(op.tags[0]!)) missing.push(`${key}: tags ${JSON.stringify(op.tags)} are not one declared tag`);
        else used.add(op.tags[0]!);
      }
    }
    assert.deepEqual(missing, []);
    for (const [name, description] of declared) assert.ok(description.length > 20, `tag ${name} has no description`);
    assert.deepEqual([...declared.keys()].filter((t) => !used.has(t)), [], 'a declared tag with no operation');
    // Each feature's routes land in its own section.
    const tagOf = (method: string, path: string) => doc.paths[path][method].tags[0];
    assert.equal(tagOf('post', '/api/shows/{show}/events'), 'Ingest');
    assert.equal(tagOf('get', '/api/stream'), 'Streams');
    assert.equal(tagOf('post', '/api/shows/{show}/control'), 'Supervision');
    assert.equal(tagOf('post', '/api/webhooks/endpoints'), 'Webhook endpoints');
    assert.equal(tagOf('get', '/healthz'), 'Health');
    assert.equal(tagOf('get', '/{*}'), 'Pages');
    // Summaries name what an operation does, so no two are the same.
    const summaries = Object.values<Record<string, { summary: string }>>(doc.paths).flatMap((item) => Object.values(item).map((op) => op.summary));
    assert.equal(new Set(summaries).size, summaries.length, 'two operations share a summary');
  });

  it('serves /docs from the hub itself, with no script or style from elsewhere', async () => {
    const page = await fetch(`${url}/docs/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<meta\s+name="viewport"\s+content="width=device-width/);
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(sources.length > 0);
    for (const src of sources) assert.doesNotMatch(src, /^(https?:)?\/\//, `${src} is not local`);
    const bundle = await fetch(new URL(sources.find((s) => s.endsWith('.js'))!, `${url}/docs/`));
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await bundle.arrayBuffer()).byteLength > 1_000_000, 'the renderer is served whole, not loaded from a CDN');
  });

  /** A page on /docs in Chromium at a size, recording every request elsewhere and every CSP refusal. */
  async function openDocs(size: { width: number; height: number; isMobile: boolean }, hash = '') {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, isMobile: size.isMobile, hasTouch: size.isMobile });
    const page = await context.newPage();
    const elsewhere: string[] = [];
    const refused: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(`${url}/docs/${hash}`);
    await page.getByRole('heading', { name: 'Showwire hub', exact: true }).waitFor({ timeout: 60_000 });
    /** How far the page itself scrolls sideways (0 when everything fits). */
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    return { browser, page, elsewhere, refused, sideways };
  }

  it('in Chromium, /docs renders the document (under the hub\'s CSP) and makes no request elsewhere', async () => {
    const { browser, page, elsewhere, refused } = await openDocs({ width: 1440, height: 900, isMobile: false });
    try {
      // An operation of each kind is listed: JSON, and the SSE stream.
      await page.getByRole('heading', { name: 'Publish events to a show' }).waitFor();
      await page.getByRole('link', { name: 'Streams', exact: true }).click();
      await page.getByRole('heading', { name: 'Stream events of every show (SSE)' }).waitFor();
      assert.deepEqual(elsewhere, []);
      assert.deepEqual(refused, []);
    } finally {
      await browser.close();
    }
  });

  for (const size of [{ width: 390, height: 844, isMobile: true }, { width: 1440, height: 900, isMobile: false }]) {
    it(`in Chromium at ${size.width} × ${size.height}, /docs lists every tag section and the webhooks, and never scrolls sideways`, async () => {
      const doc = (await getJson(`${url}/openapi.json`)).body;
      const tags: string[] = doc.tags.map((t: { name: string }) => t.name);
      const top = await openDocs(size);
      try {
        assert.ok((await top.sideways()) <= 0, `the page scrolls ${await top.sideways()} px sideways`);
        // On a phone the sections are behind the menu.
        if (size.isMobile) await top.page.getByRole('button', { name: 'Open Menu' }).click();
        const sidebar = top.page.getByRole('complementary').filter({ visible: true });
        const sections = await sidebar.locator('a[href^="#tag/"], a[href="#webhooks"]').filter({ visible: true }).evaluateAll((els) =>
          els.filter((e) => !e.getAttribute('href')!.slice(5).includes('/')).map((e) => e.textContent.trim()),
        );
        assert.deepEqual(sections, [...tags, 'Webhooks']);
        // The outgoing webhooks, one per type, under their own section.
        await sidebar.getByRole('link', { name: 'Webhooks', exact: true }).click();
        await sidebar.locator('a[href="#webhook/POST/order-placed"]').waitFor();
        assert.deepEqual(top.elsewhere, []);
        assert.deepEqual(top.refused, []);
      } finally {
        await top.browser.close();
      }
      // An operation with a long path, its parameters, body and answers still fits; so does a webhook's payload.
      for (const [hash, heading] of [
        ['#tag/webhook-endpoints/POST/api/webhooks/endpoints/{id}/rotate-secret', 'Rotate the secret'],
        ['#webhook/POST/order-placed', "order_placed (the show's story)"],
      ] as const) {
        const op = await openDocs(size, hash);
        try {
          await op.page.getByRole('heading', { name: heading }).first().waitFor();
          assert.ok((await op.sideways()) <= 0, `${heading}: the page scrolls ${await op.sideways()} px sideways`);
          await op.page.screenshot({ path: join(dir, `docs-${size.width}-${heading.split(' ')[0]}.png`) });
        } finally {
          await op.browser.close();
        }
      }
    });
  }

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
