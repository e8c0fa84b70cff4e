import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispose, Room, RpcError } from '@livekit/rtc-node';
import { decodeJwt } from 'jose';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { postJson, readHistory, startHub, type TestHub, startLiveKit, type LiveKitServer, waitFor } from '@showwire/testkit';

const SHOW = 'ctl-show';

/**
 * Controls and listen-in against a real livekit-server. The "agent" is an @livekit/rtc-node
 * participant joined with an agent-kind token that registers the RPC methods the real agent
 * registers (agent/src/controls.ts) and records what reaches it; the hub finds it by its kind.
 */
describe('controls and listen-in over LiveKit', () => {
  let lk: LiveKitServer;
  let hub: TestHub;
  const rooms: Room[] = [];
  const calls: Array<{ method: string; payload: string; caller: string }> = [];

  const join = async (identity: string, grants: { kind?: string; hidden?: boolean } = {}, show = SHOW) => {
    const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity, ttl: 600 });
    if (grants.kind) at.kind = grants.kind;
    at.addGrant({ room: show, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
    const room = new Room();
    rooms.push(room);
    await room.connect(lk.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });
    return room;
  };
  const control = async (body: unknown, token: string, show = SHOW) => postJson(`${hub.url}/api/shows/${show}/control`, body, token);
  const controls = async (show = SHOW) => (await readHistory(hub.url, show, await hub.token('admin'))).filter((e) => e.type === 'control');

  before(async () => {
    lk = await startLiveKit();
    hub = await startHub({ LIVEKIT_URL: lk.url, LIVEKIT_API_KEY: lk.apiKey, LIVEKIT_API_SECRET: lk.apiSecret, HUB_ALERT_STREAM_STALLED_MS: '0', HUB_ALERT_AGENT_MISSING_MS: '0' });
    const agent = await join('agent-fake', { kind: 'agent' });
    for (const method of ['say', 'pause', 'end_agent']) {
      agent.localParticipant!.registerRpcMethod(method, async (d) => {
        calls.push({ method, payload: d.payload, caller: d.callerIdentity });
        return JSON.stringify({ ok: true });
      });
    }
    agent.localParticipant!.registerRpcMethod('resume', async () => {
      throw new RpcError(1500, 'cannot resume right now');
    });
  });

  after(async () => {
    for (const r of rooms) await r.disconnect().catch(() => {});
    await hub?.close();
    await lk?.stop();
    await dispose();
  });

  it('say reaches the agent by RPC and is audited as a control event by the staff member', async () => {
    const staff = await hub.token('staff', ['*'], 600, 'sam@support');
    const res = await control({ action: 'say', text: 'Welcome, everyone!' }, staff);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual({ action: res.body.action, ok: res.body.ok }, { action: 'say', ok: true });
    const call = calls.find((c) => c.method === 'say');
    assert.deepEqual(JSON.parse(call!.payload), { text: 'Welcome, everyone!' });
    assert.match(call!.caller, /^hub-control-/);
    const [event] = await controls();
    assert.equal(event.id, res.body.id);
    assert.deepEqual([event.action, event.by, event.ok, event.text, event.error], ['say', 'sam@support', true, 'Welcome, everyone!', undefined]);
  });

  it('a host may say, pause, resume and end its agent on its own show only; nothing else; refusals publish nothing', async () => {
    const before = (await controls()).length;
    const host = await hub.token('host', [SHOW], 600, 'hana');
    const paused = await control({ action: 'pause' }, host);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.ok(calls.some((c) => c.method === 'pause'));

    const endShow = await control({ action: 'end_show' }, host);
    assert.equal(endShow.status, 403);
    assert.match(endShow.body.message, /a host may only say, pause, resume, end_agent; "end_show" needs a staff or admin token/);
    const other = await control({ action: 'pause' }, await hub.token('host', ['another-show']));
    assert.equal(other.status, 403);
    const viewer = await control({ action: 'say', text: 'hi' }, await hub.token('viewer', [SHOW]));
    assert.equal(viewer.status, 403);

    const noText = await control({ action: 'say' }, host);
    assert.equal(noText.status, 400);
    assert.deepEqual(noText.body.issues, [{ path: 'text', message: 'is required for action "say"' }]);
    const bogus = await control({ action: 'dance' }, host);
    assert.equal(bogus.status, 400);
    assert.match(bogus.body.issues[0].path, /^action/);

    const audited = await controls();
    assert.equal(audited.length, before + 1, 'only the pause that happened is audited');
    assert.deepEqual([audited.at(-1).action, audited.at(-1).by, audited.at(-1).ok], ['pause', 'hana', true]);
  });

  it('an agent that refuses, and a room without an agent: clear errors, audited with ok=false', async () => {
    const staff = await hub.token('staff');
    const refused = await control({ action: 'resume' }, staff);
    assert.equal(refused.status, 502);
    assert.equal(refused.body.error, 'agent_rpc_failed');
    assert.match(refused.body.message, /agent-fake did not carry out "resume": cannot resume right now/);
    const last = (await controls()).at(-1);
    assert.deepEqual([last.action, last.ok], ['resume', false]);
    assert.match(last.error, /cannot resume right now/);

    await join('host-alone', {}, 'no-agent-show');
    const missing = await control({ action: 'say', text: 'anyone?' }, staff, 'no-agent-show');
    assert.equal(missing.status, 409);
    assert.equal(missing.body.error, 'agent_not_present');
    const audit = await controls('no-agent-show');
    assert.deepEqual(audit.map((e) => [e.action, e.ok]), [['say', false]]);
    assert.match(audit[0].error, /no agent is in show "no-agent-show"/);
  });

  it('listen-in: staff get a hidden subscribe-only token; the room never shows the listener', async () => {
    const hostRoom = await join('host-hana');
    const denied = await postJson(`${hub.url}/api/shows/${SHOW}/listen`, {}, await hub.token('host', [SHOW]));
    assert.equal(denied.status, 403);
    const res = await postJson(`${hub.url}/api/shows/${SHOW}/listen`, {}, await hub.token('staff', ['*'], 600, 'sam'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.url, lk.url);
    const grant = (decodeJwt<any>(res.body.token)).video;
    assert.deepEqual(
      { room: grant.room, hidden: grant.hidden, canSubscribe: grant.canSubscribe, canPublish: grant.canPublish, canPublishData: grant.canPublishData },
      { room: SHOW, hidden: true, canSubscribe: true, canPublish: false, canPublishData: false },
    );
    const listener = new Room();
    rooms.push(listener);
    await listener.connect(res.body.url, res.body.token, { autoSubscribe: true, dynacast: false });
    // The listener sees the room…
    await waitFor('listener sees the host', () => listener.remoteParticipants.has('host-hana'), 10_000);
    // …the room does not see the listener (a participant that joins after it does show, proving the host's list is live).
    await join('late-viewer');
    await waitFor('host sees the late viewer', () => hostRoom.remoteParticipants.has('late-viewer'), 10_000);
    assert.ok(![...hostRoom.remoteParticipants.keys()].some((id) => id.startsWith('listen-')), [...hostRoom.remoteParticipants.keys()].join(','));
  });

  it('end_show deletes the room; redispatch removes the agent and dispatches a new one', async () => {
    const staff = await hub.token('staff');
    const svc = new RoomServiceClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
    const redispatch = await control({ action: 'redispatch' }, staff);
    assert.equal(redispatch.status, 200, JSON.stringify(redispatch.body));
    await waitFor('fake agent removed', async () => !(await svc.listParticipants(SHOW)).some((p) => p.identity === 'agent-fake'), 10_000);
    const ended = await control({ action: 'end_show' }, staff);
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    await waitFor('room gone', async () => !(await svc.listRooms()).some((r) => r.name === SHOW), 10_000);
    const audit = (await controls()).slice(-2).map((e) => [e.action, e.ok]);
    assert.deepEqual(audit, [['redispatch', true], ['end_show', true]]);
  });
});
