import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AgentServer, initializeLogger, ServerOptions, type JobRequest } from '@livekit/agents';
import { AgentDispatchClient } from 'livekit-server-sdk';
import { LIB_LOG_LEVEL, postJson, startHub, type TestHub, startLiveKit, type LiveKitServer, waitFor } from '@showwire/testkit';

const AGENT = 'showwire-test-agent';

/**
 * Dispatch reaches a real agent worker: a minimal `@livekit/agents` AgentServer registers with
 * the server under AGENT; the hub's dispatch must arrive at its request handler with the room and
 * metadata. The handler records the job and rejects it (no job process needed to prove delivery).
 */
describe('agent dispatch through the hub', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  let worker: AgentServer;
  let running: Promise<void>;
  const jobs: JobRequest[] = [];

  before(async () => {
    lk = await startLiveKit();
    hub = await startHub({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, AGENT_NAME: AGENT });
    initializeLogger({ pretty: false, level: LIB_LOG_LEVEL });
    worker = new AgentServer(
      new ServerOptions({
        // Never loaded: no idle processes are kept and every job is rejected.
        agent: fileURLToPath(import.meta.url),
        agentName: AGENT,
        wsURL: lk.url,
        apiKey: lk.apiKey,
        apiSecret: lk.apiSecret,
        numIdleProcesses: 0,
        // The default measures CPU; on a busy shared machine it would mark the worker full.
        loadFunc: async () => 0,
        host: '127.0.0.1',
        port: 0,
        requestFunc: async (job) => {
          jobs.push(job);
          await job.reject();
        },
      }),
    );
    const registered = new Promise<void>((resolve, reject) => {
      worker.event.once('worker_registered', () => resolve());
      setTimeout(() => reject(new Error('the agent worker did not register with LiveKit in 30 s')), 30_000).unref();
    });
    running = worker.run();
    running.catch(() => {});
    await registered;
  });

  after(async () => {
    await worker?.close().catch(() => {});
    await hub?.close();
    await lk?.stop();
  });

  const jobsReach = (n: number) => waitFor(`${n} jobs at the worker`, () => jobs.length >= n);

  it('POST /api/streaming/dispatch-agent reaches the registered worker with room and metadata', async () => {
    const host = await hub.token('host', ['show-dispatch']);
    const denied = await postJson(`${hub.url}/api/streaming/dispatch-agent`, { roomName: 'show-dispatch' }, await hub.token('host', ['other']));
    assert.equal(denied.status, 403);

    const res = await postJson(`${hub.url}/api/streaming/dispatch-agent`, { roomName: 'show-dispatch', agentName: AGENT, metadata: { product: 'p1' } }, host);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.agentName, AGENT);
    assert.equal(res.body.roomName, 'show-dispatch');
    assert.match(res.body.dispatchId, /^AD_/);
    const listed = await new AgentDispatchClient(lk.httpUrl, lk.apiKey, lk.apiSecret).listDispatch('show-dispatch');
    // LiveKit also lists the room's implicit dispatch for unnamed agents (agentName ""); ours is the named one.
    assert.deepEqual(listed.filter((d) => d.agentName).map((d) => [d.id, d.agentName]), [[res.body.dispatchId, AGENT]]);

    await jobsReach(1);
    const job = jobs[0]!;
    assert.equal(job.room?.name, 'show-dispatch');
    assert.equal(job.agentName, AGENT);
    assert.deepEqual(JSON.parse(job.job.metadata), { product: 'p1' });
    assert.equal(job.job.dispatchId, res.body.dispatchId);
  });

  it('POST /api/agent/start (the agent guide\'s path) dispatches AGENT_NAME to the named show, or to "default"', async () => {
    const admin = await hub.token('admin');
    const res = await postJson(`${hub.url}/api/agent/start`, { roomName: 'show-start' }, admin);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.agentName, AGENT, 'AGENT_NAME is the default');
    await jobsReach(2);
    assert.equal(jobs[1]!.room?.name, 'show-start');

    // The guide's bare `curl -X POST /api/agent/start`: no body at all.
    const bare = await fetch(`${hub.url}/api/agent/start`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(bare.status, 201, await bare.clone().text());
    assert.equal((await bare.json()).roomName, 'default');
    await jobsReach(3);
    assert.equal(jobs[2]!.room?.name, 'default');

    const anon = await fetch(`${hub.url}/api/agent/start`, { method: 'POST' });
    assert.equal(anon.status, 401);
  });
});
