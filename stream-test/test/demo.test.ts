import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir, listen } from '@showwire/testkit';
import { startCli } from './helpers/cli.js';

/** `npm run demo` runs `stream-test demo`: a hub with its embedded defaults plus live simulated shows. */
describe('stream-test demo', () => {
  it('starts the hub, prints the dashboard URL, fills it with live shows, and on Ctrl-C ends them and stops the hub', async () => {
    const dataDir = tempDir('showwire-demo-');
    const demo = startCli(['demo', '--shows', '2', '--rate', '10'], { env: { HUB_DATA_DIR: dataDir, PORT: '0', HUB_LOG_LEVEL: 'warn' } });
    try {
      await demo.waitFor('Ctrl-C ends the shows', 60_000);
      const dashboard = /Dashboard: +(\S+)/.exec(demo.stdout())![1]!;
      const url = new URL(dashboard);
      const token = url.searchParams.get('token');
      assert.ok(token, 'auth is on by default, so the dashboard URL carries a token');
      assert.match(demo.stdout(), new RegExp(`Stream test page: ${url.origin}/stream-test\\?token=`));

      const client = listen(`${url.origin}/api/stream?lastEventId=0`, { token });
      const shows = ['sim-1', 'sim-2'];
      await client.until(() => shows.every((s) => client.events.some((e) => e.data.show === s && e.data.type === 'product_created')), 60_000, 'a product in every show');
      assert.deepEqual(new Set(client.events.map((e) => e.data.source)), new Set(['agent:demo-simulator']));

      demo.child.kill('SIGINT');
      await client.until(() => shows.every((s) => client.events.some((e) => e.data.show === s && e.data.type === 'show_ended')), 60_000, 'show_ended in every show');
      assert.equal(await demo.exited, 0, demo.stderr());
      client.close();
      const after = await fetch(`${url.origin}/healthz`).then(() => 'up', () => 'down');
      assert.equal(after, 'down', 'the hub stops with the demo');
    } finally {
      demo.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
