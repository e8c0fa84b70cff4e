import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

interface HeaderSettings {
  /**
   * LIVEKIT_URL as it is now: the dashboard may open LiveKit's signalling WebSocket. Read on every
   * request, because `PUT /api/config` may change it while the hub runs (the studio of a hub whose
   * LiveKit was set from the dashboard must connect without a restart).
   */
  livekitUrl: () => string | undefined;
  /** HUB_PUBLIC_URL: when it is https, browsers are told to upgrade http subresources. */
  publicUrl?: string;
}

/** HTML pages larger than this are sent without hashing their inline scripts. */
const MAX_HASHED_HTML = 2 * 1024 * 1024;
const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** The hub serves a handful of pages, each the same until a rebuild: hash each page once. */
const hashCache = new Map<string, string[]>();
const HASH_CACHE_PAGES = 16;

function cachedInlineScriptHashes(html: string): string[] {
  let hashes = hashCache.get(html);
  if (!hashes) {
    if (hashCache.size >= HASH_CACHE_PAGES) hashCache.delete(hashCache.keys().next().value!);
    hashCache.set(html, (hashes = inlineScriptHashes(html)));
  }
  return hashes;
}

/** CSP source expressions (`'sha256-…'`) for each inline `<script>` of an HTML page. */
function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const m of html.matchAll(INLINE_SCRIPT)) {
    if (/\bsrc\s*=/i.test(m[1] ?? '')) continue;
    hashes.add(`'sha256-${createHash('sha256').update(m[2] ?? '', 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

/** Adds sources to one directive of a CSP header value. */
function addSources(csp: string, directive: string, sources: string[]): string {
  return csp
    .split(';')
    .map((d) => {
      const t = d.trim();
      return t === directive || t.startsWith(`${directive} `) ? `${t} ${sources.join(' ')}` : t;
    })
    .join(';');
}

function wsOrigins(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    const secure = u.protocol === 'wss:' || u.protocol === 'https:';
    return [`${secure ? 'wss' : 'ws'}://${u.host}`, `${secure ? 'https' : 'http'}://${u.host}`];
  } catch {
    return [];
  }
}

/**
 * Headers that only mean something to a browser rendering a document (a page, a frame): an SSE
 * stream is read by EventSource, never rendered, so it goes without them (less to send, and
 * less for the server to hold per open stream). `nosniff` and CORP stay on every answer.
 */
export const DOCUMENT_ONLY_HEADERS: ReadonlySet<string> = new Set([
  'content-security-policy',
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]);

/**
 * The headers helmet sets, computed once per LiveKit URL: they are the same for every answer,
 * and helmet (as @fastify/helmet calls it) parses its whole configuration again on every request.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed to set its headers', { cause: error });
  });
  return headers;
}

/**
 * Security headers on every response (helmet's), with a strict CSP: scripts from the hub's
 * own origin only. The Vite-built dashboard loads its scripts as files, so `'self'` covers it.
 * Pages with inline scripts (the `/stream-test` page) keep working without `'unsafe-inline'`:
 * every HTML response gets the sha256 of exactly its own inline scripts added to `script-src`,
 * so an injected script still fails. Inline event-handler attributes (`onclick="…"`) stay
 * blocked (`script-src-attr 'none'`): pages use addEventListener. SSE streams send only the
 * headers outside DOCUMENT_ONLY_HEADERS (see streams/sse-routes.ts).
 */
export const headersPlugin = fp(
  async (app: FastifyInstance, settings: HeaderSettings) => {
    const https = settings.publicUrl?.startsWith('https://') ?? false;
    const headersFor = (livekitUrl: string | undefined) =>
      helmetHeaders({
        contentSecurityPolicy: {
          useDefaults: true,
          directives: {
            'connect-src': ["'self'", ...wsOrigins(livekitUrl)],
            // Product images and thumbnails may live on a shop's CDN.
            'img-src': ["'self'", 'data:', 'blob:', 'https:'],
            'media-src': ["'self'", 'blob:'],
            // Over plain http (a first local run) upgrading would break every subresource.
            'upgrade-insecure-requests': https ? [] : null,
          },
        },
        // Only meaningful over https; browsers ignore it on http.
        strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
        // Dashboard URLs carry `?token=`: never send them on as a Referer.
        referrerPolicy: { policy: 'no-referrer' },
      });
    // Computed again only when the LiveKit URL changed: one string comparison per request.
    let forUrl = settings.livekitUrl();
    let security = headersFor(forUrl);
    // Set first, so a route's own value for any of them (reply.header) wins, as with helmet.
    app.addHook('onRequest', (_req, reply, done) => {
      const url = settings.livekitUrl();
      if (url !== forUrl) [forUrl, security] = [url, headersFor(url)];
      reply.headers(security);
      done();
    });

    app.addHook('onSend', async (req, reply, payload) => {
      const type = reply.getHeader('content-type');
      const csp = reply.getHeader('content-security-policy');
      if (req.method === 'HEAD' || typeof csp !== 'string' || typeof type !== 'string' || !type.startsWith('text/html') || payload == null) return payload;
      let html: string;
      let body: unknown = payload;
      if (typeof payload === 'string') html = payload;
      else if (Buffer.isBuffer(payload)) html = payload.toString('utf8');
      else if (payload instanceof Readable) {
        // @fastify/static sends files as streams: read the (small, our own) page once to hash it.
        const chunks: Buffer[] = [];
        for await (const c of payload as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
        body = Buffer.concat(chunks);
        html = (body as Buffer).toString('utf8');
      } else return payload;
      const hashes = html.length <= MAX_HASHED_HTML ? cachedInlineScriptHashes(html) : [];
      if (hashes.length > 0) reply.header('content-security-policy', addSources(csp, 'script-src', hashes));
      return body;
    });
  },
  { name: 'showwire-headers' },
);
