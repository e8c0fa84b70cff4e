import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AudioFrame, AudioSource, dispose, LocalAudioTrack, ParticipantKind, Room, RoomEvent, RpcError, type RpcInvocationData, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { AccessToken, AgentDispatchClient } from 'livekit-server-sdk';
import { REPO_ROOT, startHub, type TestHub, startLiveKit, type LiveKitServer, listen, waitFor, startFakeOpenAI, type FakeOpenAI } from '@showwire/testkit';
import { HOST_RPC } from '../src/host-rpc.js';
import { speech, watch } from '@showwire/testkit/show-room';

const REQUEST = 'Please create a blue linen shirt for forty nine euros fifty.';
const SHOW = 'show-e2e';
const AGENT_NAME = `showwire-e2e-${process.pid}`;

describe('end to end: LiveKit room → agent worker → hub', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let fake: FakeOpenAI;
  let worker: ChildProcess | undefined;
  let room: Room | undefined;

  before(async () => {
    [livekit, hub, fake] = await Promise.all([startLiveKit(), startHub(), startFakeOpenAI({ transcript: REQUEST })]);
  });
  after(async () => {
    await room?.disconnect().catch(() => undefined);
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      const killer = setTimeout(() => worker!.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await dispose();
    await Promise.all([livekit?.stop(), hub?.close(), fake?.close()]);
  });

  it('a spoken request reaches the hub as transcript, tool_call, product_created and the agent speaking; the host hears of it by RPC', async () => {
    // The agent worker, as in production (`start`), from the TypeScript source.
    worker = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(REPO_ROOT, 'agent', 'src', 'agent.ts'), 'start'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LIVEKIT_URL: livekit.url,
        LIVEKIT_API_KEY: livekit.apiKey,
        LIVEKIT_API_SECRET: livekit.apiSecret,
        HUB_URL: hub.url,
        HUB_AGENT_TOKEN: await hub.token('agent', [SHOW], 3600, AGENT_NAME),
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: fake.baseURL,
        AGENT_NAME,
        // Any free port, bound by the worker itself: a port picked here could be taken before it binds.
        AGENT_HTTP_HOST: '127.0.0.1',
        AGENT_HTTP_PORT: '0',
        // Capacity by shows, not by CPU: on a busy shared machine LiveKit would drop the dispatch.
        AGENT_MAX_JOBS: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = watch(worker);
    await log.until(/registered worker/, 120_000);

    const sse = listen(`${hub.url}/api/shows/${SHOW}/stream`, { token: await hub.token('staff') });
    await sse.opened();

    // The host joins and publishes a microphone track.
    const at = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity: 'host-1' });
    at.addGrant({ room: SHOW, roomJoin: true, canPublish: true, canSubscribe: true });
    room = new Room();
    await room.connect(livekit.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
    const source = new AudioSource(48_000, 1);
    const track = LocalAudioTrack.createAudioTrack('microphone', source);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await room.localParticipant!.publishTrack(track, options);

    // The host's app: takes the agent's RPCs. The carousel one fails on purpose, which must not
    // fail the agent's tool (the agent only logs it).
    const rpcs: Record<string, RpcInvocationData[]> = { [HOST_RPC.productCreated]: [], [HOST_RPC.productAddedToShow]: [] };
    room.localParticipant!.registerRpcMethod(HOST_RPC.productCreated, async (data) => {
      rpcs[HOST_RPC.productCreated]!.push(data);
      return 'ok';
    });
    room.localParticipant!.registerRpcMethod(HOST_RPC.productAddedToShow, async (data) => {
      rpcs[HOST_RPC.productAddedToShow]!.push(data);
      throw new RpcError(2001, 'carousel view not ready');
    });

    const agentJoined = new Promise<void>((resolve) => {
      const check = () => [...room!.remoteParticipants.values()].some((p) => p.kind === ParticipantKind.AGENT) && resolve();
      room!.on(RoomEvent.ParticipantConnected, check);
      check();
    });
    await new AgentDispatchClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret).createDispatch(SHOW, AGENT_NAME, {
      metadata: JSON.stringify({ title: 'Summer drop', seller: 'host-1' }),
    });
    await agentJoined;
    await sse.until(() => sse.events.some((e) => e.data.type === 'agent_ready'), 120_000, 'agent_ready');

    // Speak: the request, then silence so the VAD hears the end of the turn. Bounded loops.
    const pcm = speech(REQUEST);
    const frame = 480; // 10 ms at 48 kHz
    const silence = new Int16Array(48_000 * 2);
    for (const part of [pcm, silence]) {
      for (let i = 0; i + frame <= part.length; i += frame) await source.captureFrame(new AudioFrame(part.slice(i, i + frame), 48_000, 1, frame));
    }

    const has = (pred: (d: any) => boolean) => sse.events.some((e) => pred(e.data));
    await sse.until(() => has((d) => d.type === 'agent_speech_finished'), 120_000, 'agent_speech_finished');
    sse.close();

    const events = sse.events.map((e) => e.data);
    const types = events.map((d) => d.type).join(', ');
    const at_ = (pred: (d: any) => boolean, what: string) => {
      const i = events.findIndex(pred);
      assert.ok(i >= 0, `missing ${what}; got ${types}\n--- worker ---\n${log.output().slice(-3000)}`);
      return i;
    };
    const user = at_((d) => d.type === 'transcript' && d.role === 'user' && d.final, 'user transcript');
    const call = at_((d) => d.type === 'tool_call' && d.name === 'create_product', 'tool_call create_product');
    const created = at_((d) => d.type === 'product_created', 'product_created');
    const started = at_((d) => d.type === 'agent_speech_started', 'agent_speech_started');
    const finished = at_((d) => d.type === 'agent_speech_finished', 'agent_speech_finished');
    assert.equal(events[user].text, REQUEST);
    assert.equal(events[user].participant, 'host-1');
    assert.equal(events[call].isError, false, JSON.stringify(events[call]));
    assert.equal(events[created].product.name, 'Linen Shirt');
    assert.equal(events[created].source, `agent:${AGENT_NAME}`);
    assert.ok(user < created && created < call && call < started && started < finished, `order: ${types}`);
    assert.equal(events[finished].interrupted, false);
    // The fake heard the host's audio (a WAV upload), not text.
    assert.ok(fake.requests.some((r) => r.path.endsWith('/audio/transcriptions') && r.body.bytes > 10_000));

    // The host's app was told by RPC, from the agent's participant, with the product the hub stored.
    const agentIdentity = [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT)!.identity;
    // The RPCs are fire and forget, so they may trail the hub's events.
    await waitFor('both RPCs', () => Object.values(rpcs).every((calls) => calls.length > 0), 30_000);
    const [createdRpc, ...moreCreated] = rpcs[HOST_RPC.productCreated]!;
    assert.equal(moreCreated.length, 0, 'product_created RPC sent once');
    assert.equal(createdRpc!.callerIdentity, agentIdentity);
    assert.deepEqual(JSON.parse(createdRpc!.payload), { product: events[created].product });
    const id = events[created].product.id;
    const [addedRpc, ...moreAdded] = rpcs[HOST_RPC.productAddedToShow]!;
    assert.equal(moreAdded.length, 0, 'product_added_to_show RPC sent once');
    assert.deepEqual(JSON.parse(addedRpc!.payload), { productId: id, carousel: [id] });
    // The host's app failing the carousel RPC did not fail the tool; the agent logged it.
    const addCall = at_((d) => d.type === 'tool_call' && d.name === 'add_product_to_show', 'tool_call add_product_to_show');
    assert.equal(events[addCall].isError, false, JSON.stringify(events[addCall]));
    at_((d) => d.type === 'product_added_to_show' && d.productId === id, 'product_added_to_show');
    await log.until(/RPC showwire\.product_added_to_show to host-1 failed \(code 2001\)/, 30_000);
  });
});
