import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AudioFrame, AudioSource, dispose, LocalAudioTrack, ParticipantKind, Room, RoomEvent, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { AccessToken, AgentDispatchClient } from 'livekit-server-sdk';
import { eventSeq, postJson, startHub, type TestHub, startLiveKit, type LiveKitServer, listen, waitFor, startFakeOpenAI, type FakeOpenAI } from '@showwire/testkit';
import { speech, startWorker, type Worker } from '@showwire/testkit/show-room';

const REQUEST = 'Please create a blue linen shirt for forty nine euros fifty.';
const LINE = 'Welcome to the show, everyone!';
const SHOW = 'show-controls';
const AGENT_NAME = `showwire-controls-${process.pid}`;


/**
 * The staff controls reach the real agent worker: the hub's `POST /api/shows/:show/control`
 * calls the agent's LiveKit RPC methods (agent/src/controls.ts) in a real livekit-server room,
 * with the fake OpenAI server behind the agent.
 */
describe('controls: hub → LiveKit RPC → the real agent', () => {
  let livekit: LiveKitServer;
  let hub: TestHub;
  let fake: FakeOpenAI;
  let worker: Worker | undefined;
  let room: Room | undefined;
  let sse: ReturnType<typeof listen> | undefined;

  before(async () => {
    [livekit, fake] = await Promise.all([startLiveKit(), startFakeOpenAI({ transcript: REQUEST })]);
    hub = await startHub({
      LIVEKIT_URL: livekit.url,
      LIVEKIT_API_KEY: livekit.apiKey,
      LIVEKIT_API_SECRET: livekit.apiSecret,
      LIVEKIT_TIMEOUT_MS: '10000',
    });
  });
  after(async () => {
    sse?.close();
    await room?.disconnect().catch(() => undefined);
    await worker?.stop();
    await dispose();
    await Promise.all([livekit?.stop(), hub?.close(), fake?.close()]);
  });

  it('say speaks the line; pause keeps transcribing without answering; resume answers again; end_agent ends the session', async () => {
    worker = await startWorker({ livekit, hub, fake, agentName: AGENT_NAME });
    const tail = () => `\n--- worker ---\n${worker!.log.telling().slice(-3000)}`;

    const stream = listen(`${hub.url}/api/shows/${SHOW}/stream`, { token: await hub.token('staff') });
    sse = stream;
    await stream.opened();
    const at = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity: 'host-1' });
    at.addGrant({ room: SHOW, roomJoin: true, canPublish: true, canSubscribe: true });
    room = new Room();
    await room.connect(livekit.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
    const source = new AudioSource(48_000, 1);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await room.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('microphone', source), options);
    const agentPresent = () => [...room!.remoteParticipants.values()].some((p) => p.kind === ParticipantKind.AGENT);
    const joined = new Promise<void>((resolve) => {
      const check = () => agentPresent() && resolve();
      room!.on(RoomEvent.ParticipantConnected, check);
      check();
    });
    await new AgentDispatchClient(livekit.httpUrl, livekit.apiKey, livekit.apiSecret).createDispatch(SHOW, AGENT_NAME, { metadata: JSON.stringify({ seller: 'host-1' }) });
    await joined;
    await stream.until(() => stream.events.some((e) => e.data.type === 'agent_ready'), 120_000, 'agent_ready');

    const staff = await hub.token('staff', ['*'], 3600, 'sam');
    const control = async (body: unknown) => {
      const res = await postJson(`${hub.url}/api/shows/${SHOW}/control`, body, staff);
      assert.equal(res.status, 200, `${JSON.stringify(res.body)}${tail()}`);
      return res.body.id as string;
    };
    const speak = async () => {
      const frame = 480;
      for (const pcm of [speech(REQUEST), new Int16Array(48_000 * 2)]) {
        for (let i = 0; i + frame <= pcm.length; i += frame) await source.captureFrame(new AudioFrame(pcm.slice(i, i + frame), 48_000, 1, frame));
      }
    };
    const after = (id: string, pred: (d: any) => boolean) => stream.events.filter((e) => eventSeq(e.id) > eventSeq(id) && pred(e.data));

    // say: the fake TTS is asked for the line and the agent's transcript carries it.
    const said = await control({ action: 'say', text: LINE });
    await stream.until(() => after(said, (d) => d.type === 'transcript' && d.role === 'agent' && d.text === LINE && d.final).length > 0, 60_000, 'the said line');
    await stream.until(() => after(said, (d) => d.type === 'agent_speech_finished').length > 0, 60_000, 'the line spoken to its end');
    assert.ok(fake.requests.some((r) => r.path.endsWith('/audio/speech') && r.body.input === LINE), 'TTS was asked for the line');

    // pause: the host's request is transcribed, and nothing answers it (no tool call, no reply).
    const paused = await control({ action: 'pause' });
    await speak();
    await stream.until(() => after(paused, (d) => d.type === 'transcript' && d.role === 'user' && d.final).length > 0, 60_000, 'transcript while paused');
    // A reply would have followed within a second or two; give it four before calling it absent.
    await new Promise((r) => setTimeout(r, 4000));
    const answered = after(paused, (d) => d.type === 'tool_call' || (d.type === 'transcript' && d.role === 'agent'));
    assert.deepEqual(answered.map((e) => e.data.type), [], JSON.stringify(stream.events.map((e) => [e.id, e.data.type, e.data.role, e.data.text, e.data.final])));

    // resume: the next request is answered with the tool call.
    const resumed = await control({ action: 'resume' });
    await speak();
    await stream
      .until(() => after(resumed, (d) => d.type === 'tool_call' && d.name === 'create_product').length > 0, 60_000, 'tool call after resume')
      .catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(stream.events.map((x) => [x.id, x.data.type, x.data.role ?? x.data.action ?? x.data.state, x.data.text]))}${tail()}`);
      });

    // end_agent: the agent leaves the room; the control is audited with who did it.
    const ended = await control({ action: 'end_agent' });
    await waitFor('the agent to leave the room', () => !agentPresent(), 60_000);
    const audit = stream.events.filter((e) => e.data.type === 'control').map((e) => [e.data.action, e.data.by, e.data.ok]);
    assert.deepEqual(audit, [['say', 'sam', true], ['pause', 'sam', true], ['resume', 'sam', true], ['end_agent', 'sam', true]]);
    assert.equal(stream.events.find((e) => e.data.type === 'control' && e.data.action === 'end_agent')?.id, ended);
    // The agent says why its session ended, as every end does.
    await stream.until(() => after(ended, (d) => d.type === 'agent_session_closed').length > 0, 30_000, 'agent_session_closed');
    assert.deepEqual(after(ended, (d) => d.type === 'agent_session_closed').map((e) => e.data.reason), ['ended_by_staff']);
    stream.close();
  });
});
