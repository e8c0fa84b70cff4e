import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHub, type TestHub } from '@showwire/testkit';
import { startCli } from './helpers/cli.js';

/** `stream-test load` as a script sees it: figures on stdout, and an exit code it can gate on. */
describe('stream-test load exit codes', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub({ HUB_AUTH: 'off' });
  });
  after(() => hub.close());

  it('exits 0 with zeroLoss true when every subscriber got every event of a real hub', async () => {
    const run = startCli(['load', '--hub', hub.url, '--show', 'load-ok', '--subscribers', '20', '--rate', '20', '--duration', '1', '--workers', '1', '--json']);
    assert.equal(await run.exited, 0, run.stderr());
    const result = JSON.parse(run.stdout());
    assert.equal(result.zeroLoss, true);
    assert.equal(result.lost, 0);
  });

  it('exits 7 when a server skips an event', async () => {
    // An SSE server that leaves out seq 3 of what was published, and a publisher endpoint that accepts.
    let published = 0;
    const server = createServer((req, res) => {
      if (req.method === 'POST') {
        published++;
        req.resume();
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ids":["1"],"clients_notified":1}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 2000\n\n');
      let seq = 0;
      const timer = setInterval(() => {
        seq++;
        if (seq !== 3) res.write(`id: ${seq}\ndata: {"type":"bench.tick","seq":${seq},"sentUs":1,"text":"x"}\n\n`);
        if (seq >= 10) clearInterval(timer);
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = startCli(['load', '--sub-url', `${base}/sub`, '--pub-url', `${base}/pub`, '--subscribers', '3', '--rate', '10', '--duration', '1', '--workers', '1']);
      assert.equal(await run.exited, 7, run.stdout() + run.stderr());
      assert.match(run.stderr(), /lost, duplicated or out of order/);
      assert.ok(published > 0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
