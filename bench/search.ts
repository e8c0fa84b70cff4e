import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { hubPublishedTypes } from '@showwire/protocol';
import { postJson, publishAsHub, startHub, tempDir, type TestHub } from '@showwire/testkit';
import { num } from './settings.js';

/**
 * `npm run bench:search`: query latency of `GET /api/search` over a big index. Fills a hub with
 * BENCH_SEARCH_EVENTS (1,000,000) events across BENCH_SEARCH_SHOWS (500) shows (mostly
 * transcripts, some tool calls, products and alerts, words drawn from a skewed vocabulary so some
 * are common and some rare), waits for the index, then times BENCH_SEARCH_QUERIES (200) rounds of
 * each kind of query over HTTP, one at a time, and reports p50/p99. Also: ingest rate with the
 * index on, the index's lag behind ingest, and a full rebuild from the log at start.
 */
const EVENTS = num('BENCH_SEARCH_EVENTS', 1_000_000);
const SHOWS = num('BENCH_SEARCH_SHOWS', 500);
const ROUNDS = num('BENCH_SEARCH_QUERIES', 200);
const BATCH = 1000;
const HUB_ONLY: ReadonlySet<string> = new Set(hubPublishedTypes);
/**
 * Every event kept; the alert rules that act on time off: 500 shows that go quiet while the queries run
 * would each raise alerts mid-measure (more work for the hub, more rows than the count taken).
 */
const HUB_ENV = {
  HUB_LOG_LEVEL: 'warn',
  HUB_RETENTION_PER_SHOW: String(Math.max(100, EVENTS)),
  HUB_ALERT_AGENT_SILENT_MS: '0',
  HUB_ALERT_STREAM_STALLED_MS: '0',
  HUB_ALERT_AGENT_MISSING_MS: '0',
  HUB_ALERT_HOST_SILENT_MS: '0',
  // Its window ends while the queries run, resolving alerts the fill raised.
  HUB_ALERT_TOOL_FAILURES: '0',
};

// A deterministic generator (mulberry32: exact 32-bit arithmetic; a float LCG lost precision and
// cycled after some 16,000 draws): every run searches the same corpus.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const WORDS = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`).concat(
  'size sizes small large colour blue red mug hat shirt price discount shipping refund complaint broken wrong order cart thanks hello'.split(' '),
);
// Zipf-like: low indices (and the real words at the end, picked on purpose below) are common.
const word = () => (rand() < 0.3 ? WORDS[5000 + Math.floor(rand() * 22)]! : WORDS[Math.floor(WORDS.length * rand() ** 3)]!);
const sentence = (n: number) => Array.from({ length: n }, word).join(' ');

function eventAt(i: number) {
  const r = rand();
  if (r < 0.8) return { type: 'transcript', role: rand() < 0.5 ? 'user' : 'agent', text: sentence(6 + Math.floor(rand() * 20)) };
  if (r < 0.9) return { type: 'tool_call', name: 'create_product', args: { name: sentence(3) }, output: sentence(4), isError: rand() < 0.1, durationMs: 10 };
  if (r < 0.97) return { type: 'product_created', product: { id: `p${i}`, name: sentence(3), price: 10, currency: 'EUR', description: sentence(10) } };
  return { type: 'alert_raised', alertId: `a${i}`, rule: 'latency_high', severity: 'warning', message: sentence(8) };
}

async function fill(hub: TestHub) {
  const admin = await hub.token('admin');
  const started = performance.now();
  for (let sent = 0; sent < EVENTS; sent += BATCH) {
    // Batches go round the shows, so every show has events (the one-show and host queries search show-1 to show-3).
    const show = `show-${(sent / BATCH) % SHOWS}`;
    const n = Math.min(BATCH, EVENTS - sent);
    const batch = Array.from({ length: n }, (_, k) => eventAt(sent + k));
    // Alerts are the hub's own to write (no token may post them): they go in as the hub's producers publish.
    const res = await postJson(`${hub.url}/api/shows/${show}/events`, batch.filter((e) => !HUB_ONLY.has(e.type)), admin);
    if (res.status !== 201) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
    await publishAsHub(hub, show, batch.filter((e) => HUB_ONLY.has(e.type)));
    if (sent % 100_000 === 0 && sent) console.log(`  ${sent} events…`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, eventsPerSec: Math.round(EVENTS / seconds) };
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function timeQuery(hub: TestHub, token: string, query: Record<string, string>) {
  const ms: number[] = [];
  let hits = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const res = await fetch(`${hub.url}/api/search?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { results?: unknown[] };
    if (res.status !== 200) throw new Error(`search ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(body)}`);
    ms.push(performance.now() - t);
    hits = body.results!.length;
  }
  ms.sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(ms, 0.5) * 100) / 100, p99Ms: Math.round(percentile(ms, 0.99) * 100) / 100, hits };
}

async function main() {
  const dataDir = tempDir('showwire-bench-search-');
  let hub = await startHub({ HUB_DATA_DIR: dataDir, ...HUB_ENV });
  try {
    console.log(`search bench: ${EVENTS} events over ${SHOWS} shows, ${ROUNDS} rounds per query`);
    const ingest = await fill(hub);
    const lagStart = performance.now();
    // A search writes what is queued first: this is the index catching up with the last batch.
    const staff = await hub.token('staff');
    await fetch(`${hub.url}/api/search?q=hello`, { headers: { authorization: `Bearer ${staff}` } });
    const lagMs = Math.round(performance.now() - lagStart);
    const host = await hub.token('host', ['show-1', 'show-2', 'show-3']);
    const queries: Array<[string, string, Record<string, string>]> = [
      ['common word', staff, { q: 'sizes' }],
      ['two common words', staff, { q: 'blue mug' }],
      ['rare word', staff, { q: 'w3jz' }],
      ['phrase', staff, { q: '"wrong order"' }],
      ['prefix', staff, { q: 'compl*' }],
      ['typed so far (prefix of 2)', staff, { q: 're*' }],
      ['type filter', staff, { q: 'refund', types: 'tool_call' }],
      ['one show', staff, { q: 'sizes', shows: 'show-1' }],
      ['host (3 shows)', host, { q: 'sizes' }],
    ];
    const results: Record<string, unknown> = {};
    for (const [name, token, q] of queries) {
      results[name] = await timeQuery(hub, token, q);
      console.log(`  ${name.padEnd(28)} ${JSON.stringify(results[name])}`);
    }
    const indexed = await hub.app.hub.search.count();
    await hub.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `search.db${suffix}`), { force: true });
    const rebuildStart = performance.now();
    hub = await startHub({ HUB_DATA_DIR: dataDir, ...HUB_ENV });
    await hub.app.hub.search.ready();
    const rebuildSeconds = Math.round((performance.now() - rebuildStart) / 100) / 10;
    const rebuilt = await hub.app.hub.search.count();
    if (rebuilt !== indexed) throw new Error(`rebuild indexed ${rebuilt} rows, not ${indexed}`);
    console.log(JSON.stringify({ events: EVENTS, indexed, ingest, indexLagMs: lagMs, rebuildSeconds, queries: results }, null, 2));
  } finally {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
