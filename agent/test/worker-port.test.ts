import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { startFakeOpenAI, startHub, startLiveKit, waitFor, type FakeOpenAI, type LiveKitServer, type TestHub } from '@showwire/testkit';
import { spawnWorker, startWorker, type Worker } from '@showwire/testkit/show-room';
import { EXIT_CANNOT_LISTEN } from '../src/health-server.js';

const AGENT_NAME = `showwire-port-${process.pid}`;

/** Resolves true when `port` on loopback can be bound now (and releases it again). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The agent worker's health server (issue 22): it binds any free port it is told to (0), a taken
 * port stops a second worker with one line and exit code 3, and SIGTERM frees the port at once
 * even while the worker drains a job that waits minutes for its host.
 */
describe('the agent worker and its health port', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let fake: FakeOpenAI;
  let first: Worker | undefined;

  before(async () => {
    [livekit, hub, fake] = await Promise.all([startLiveKit(), startHub({ HUB_LOG_LEVEL: 'warn' }), startFakeOpenAI({ transcript: 'hello' })]);
    first = await startWorker({ livekit, hub, fake, agentName: AGENT_NAME });
  });
  after(async () => {
    await first?.stop();
    await Promise.all([livekit?.stop(), hub?.close(), fake?.close()]);
  });

  it('listens on 127.0.0.1 on the free port it got, and answers its health check there', async () => {
    assert.ok(first!.healthPort > 0);
    const res = await fetch(`http://127.0.0.1:${first!.healthPort}/worker`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { agent_name: string }).agent_name, AGENT_NAME);
  });

  it('a second worker on the same port exits with code 3 and one line naming the port, no stack trace', async () => {
    const port = first!.healthPort;
    const second = await spawnWorker({ livekit, hub, fake, agentName: `${AGENT_NAME}-2`, env: { AGENT_HTTP_PORT: String(port) } });
    const timer = setTimeout(() => second.child.kill('SIGKILL'), 60_000);
    const [code] = (await once(second.child, 'exit')) as [number | null];
    clearTimeout(timer);
    const out = second.log.output();
    assert.equal(code, EXIT_CANNOT_LISTEN, out);
    const lines = out.split('\n').filter((l) => l.includes(`127.0.0.1:${port}`));
    assert.deepEqual(lines, [
      `showwire agent: cannot listen on 127.0.0.1:${port} (the health server): the port is in use; stop what uses it, or set AGENT_HTTP_PORT to a free port (0: any)`,
    ]);
    assert.doesNotMatch(out, /Unhandled 'error' event|\n\s+at /, out);
    // The first worker is untouched.
    assert.equal((await fetch(`http://127.0.0.1:${port}/worker`)).status, 200);
  });

  it('SIGTERM frees the port within 5 s while the worker still drains a job waiting for its host', async () => {
    const worker = first!;
    const room = `port-show-${process.pid}`;
    const rooms = new RoomServiceClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret);
    // A show without its host: the job waits for it (120 s by default), holding the drain.
    await new AgentDispatchClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret).createDispatch(room, AGENT_NAME);
    await waitFor('the agent to join the hostless room', async () => (await rooms.listParticipants(room).catch(() => [])).length > 0, 120_000, 200);

    const exited = once(worker.child, 'exit') as Promise<[number | null, string | null]>;
    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    await waitFor('the health port to be free', () => canBind(worker.healthPort), 5_000, 50);
    const freedMs = Date.now() - signalled;
    assert.equal(worker.child.exitCode, null, `the worker exited instead of draining:\n${worker.log.telling().slice(-3000)}`);
    assert.ok(freedMs < 5_000, `freed after ${freedMs} ms`);

    // The job ends with its room; the drain ends, and the worker exits as SIGTERM asks (143), not 1.
    await rooms.deleteRoom(room);
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), 60_000);
    const [code] = await exited;
    clearTimeout(timer);
    assert.equal(code, 143, worker.log.telling().slice(-3000));
  });
});
