import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `npm run bench:search` at a tiny size: the benchmark still runs end to end (it broke once when
 * alerts became the hub's own to write, and nothing noticed). This checks the harness, not the speed.
 */
const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..', 'search.ts');

test('bench:search fills, queries and rebuilds a small index, and reports every kind of query', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=development', '--import', 'tsx', BENCH], {
    env: { ...process.env, BENCH_SEARCH_EVENTS: '3000', BENCH_SEARCH_SHOWS: '5', BENCH_SEARCH_QUERIES: '3' },
    timeout: 120_000,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as {
    events: number;
    indexed: number;
    queries: Record<string, { p50Ms: number; p99Ms: number; hits: number }>;
  };
  assert.equal(report.events, 3000);
  // Transcripts, tool calls, products and alerts are all indexed (with what the hub derives from
  // them); the bench itself checks that the rebuild from the log indexed as many.
  assert.ok(report.indexed >= 3000, String(report.indexed));
  assert.equal(Object.keys(report.queries).length, 9);
  for (const name of ['common word', 'phrase', 'prefix', 'one show', 'host (3 shows)']) assert.ok(report.queries[name]!.hits > 0, `${name}: found`);
  for (const [name, q] of Object.entries(report.queries)) assert.ok(q.p50Ms > 0 && q.p99Ms >= q.p50Ms, name);
});
