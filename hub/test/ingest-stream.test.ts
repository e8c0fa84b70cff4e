import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { mintToken } from '../src/auth/tokens.js';
import { listen, openPublishStream as openStream, readHistory, spawnHub, startHub, tempDir, waitFor, type TestHub } from '@showwire/testkit';

const tick = (seq: number) => JSON.stringify({ type: 'bench.tick', seq, text: `event ${seq}` });

describe('NDJSON publish stream (POST /api/shows/:show/events/stream)', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startHub({ HUB_AUTH: 'on', HUB_SECRET: 'ingest-stream-test-secret-0123456789' });
  });
  after(() => hub.close());

  it('acks every line in order once stored, while the request is still open; the log and a subscriber get them in line order, none lost', async () => {
    const staff = await hub.token('staff');
    const sub = listen(`${hub.url}/api/shows/s1/stream`, { token: staff });
    await sub.opened();
    const s = openStream(`${hub.url}/api/shows/s1/events/stream`, await hub.token('agent', ['s1']));
    // 3000 lines in writes cut at places that split lines (and multi-byte characters are not involved).
    const text = Array.from({ length: 3000 }, (_, i) => `${tick(i + 1)}\n`).join('');
    let at = 0;
    for (const cut of [1, 57, 5000, 5001, 90_000, 90_013]) {
      s.write(text.slice(at, cut));
      at = cut;
    }
    // Acks come back before the publisher ends its request: the connection stays open for more.
    await waitFor('acks of the first lines', () => s.acks.length >= 500);
    assert.equal(s.ended(), false);
    s.write(text.slice(at));
    s.end();
    await s.answered;
    assert.equal(s.status(), 200);
    assert.deepEqual(
      s.acks.map((a) => a.line),
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    assert.ok(s.acks.every((a) => typeof a.id === 'string' && !a.error));
    assert.equal(new Set(s.acks.map((a) => a.id)).size, 3000, 'one id per line');

    const stored = await readHistory(hub.url, 's1', staff);
    assert.deepEqual(
      stored.map((e) => e.id),
      s.acks.map((a) => a.id),
      'the log holds the acked ids in line order',
    );
    assert.deepEqual(
      stored.map((e) => e.seq),
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    assert.ok(stored.every((e) => e.show === 's1' && e.source === 'agent:agent-test'));
    await sub.until(() => sub.events.length >= 3000);
    assert.deepEqual(
      sub.events.map((e) => e.data.seq),
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    sub.close();
  });

  it('a bad line gets an error ack naming its line and what is wrong; the lines around it are stored', async () => {
    const s = openStream(`${hub.url}/api/shows/s2/events/stream`, await hub.token('agent', ['s2']));
    s.write(`${tick(1)}\n{not json\n{"text":"no type"}\n\n{"type":"x","show":"other"}\n${'{"type":"big","t":"' + 'x'.repeat(1100 * 1024)}"}\n${tick(2)}`);
    s.end(); // the last line has no newline: it still counts
    await s.answered;
    assert.equal(s.status(), 200);
    const [first, json, noType, otherShow, tooBig, last] = s.acks;
    assert.equal(s.acks.length, 6, JSON.stringify(s.acks).slice(0, 500));
    assert.equal(first.line, 1);
    assert.ok(first.id);
    assert.deepEqual([json.line, json.error], [2, 'invalid_json']);
    assert.match(json.message, /^line 2: not JSON/);
    assert.deepEqual([noType.line, noType.error], [3, 'validation_failed']);
    assert.match(noType.message, /^line 3: invalid event: .*type/);
    assert.equal(noType.issues[0].path, 'type');
    // Line 4 was blank: numbered, not acked.
    assert.deepEqual([otherShow.line, otherShow.error, otherShow.issues[0].path], [5, 'validation_failed', 'show']);
    assert.match(otherShow.message, /"other" but the URL names show "s2"/);
    assert.deepEqual([tooBig.line, tooBig.error], [6, 'payload_too_large']);
    assert.deepEqual([last.line, typeof last.id], [7, 'string']);
    const stored = await readHistory(hub.url, 's2', await hub.token('staff'));
    assert.deepEqual(
      stored.map((e) => e.seq),
      [1, 2],
    );
  });

  it('a resent line with the same eventId is acked as a duplicate and stored once', async () => {
    const agent = await hub.token('agent', ['s3']);
    const line = JSON.stringify({ type: 'note', eventId: 'e-1', text: 'once' });
    const s = openStream(`${hub.url}/api/shows/s3/events/stream`, agent);
    s.write(`${line}\n${line}\n`);
    s.end();
    await s.answered;
    assert.equal(s.acks.length, 2);
    assert.equal(s.acks[0].id, s.acks[1].id);
    assert.equal(s.acks[1].duplicate, true);
    assert.equal((await readHistory(hub.url, 's3', await hub.token('staff'))).length, 1);
  });

  it('refuses before streaming, in the hub error shape: no token, a token for another show, a viewer, JSON instead of NDJSON', async () => {
    const cases: Array<[string | undefined, string, number, RegExp]> = [
      [undefined, 'application/x-ndjson', 401, /token/i],
      [await hub.token('agent', ['elsewhere']), 'application/x-ndjson', 403, /does not cover show "s4"/],
      [await hub.token('viewer', ['s4']), 'application/x-ndjson', 403, /cannot publish/],
      [await hub.token('agent', ['s4']), 'application/json', 415, /application\/x-ndjson/],
    ];
    for (const [token, type, status, message] of cases) {
      const s = openStream(`${hub.url}/api/shows/s4/events/stream`, token, type);
      s.write(type === 'application/json' ? '{"type":"x"}' : `${tick(1)}\n`);
      s.end();
      await s.answered;
      assert.equal(s.status(), status, s.body());
      const body = JSON.parse(s.body());
      assert.equal(typeof body.error, 'string');
      assert.match(body.message, message);
    }
    assert.equal((await readHistory(hub.url, 's4', await hub.token('staff'))).length, 0);
  });
});

describe('NDJSON publish stream and a hub that closes', () => {
  it('an open stream ends with an "unavailable" line when the hub closes; every acked line is stored, and the close does not wait for the publisher', async () => {
    const dataDir = tempDir();
    const hub = await startHub({ HUB_AUTH: 'on', HUB_DATA_DIR: dataDir });
    try {
      const s = openStream(`${hub.url}/api/shows/s6/events/stream`, await hub.token('agent', ['s6']));
      s.write(Array.from({ length: 200 }, (_, i) => `${tick(i + 1)}\n`).join(''));
      await waitFor('acks', () => s.acks.length === 200);
      // The publisher keeps its request open; the hub must not wait for it to finish.
      await hub.close();
      await s.answered;
      assert.equal(s.acks.length, 201);
      assert.equal(s.acks[200].error, 'unavailable');
      assert.match(s.acks[200].message, /shutting down/);
      const again = await startHub({ HUB_AUTH: 'on', HUB_DATA_DIR: dataDir });
      try {
        const stored = await readHistory(again.url, 's6', await again.token('staff'));
        assert.deepEqual(
          stored.map((e) => e.id),
          s.acks.slice(0, 200).map((a) => a.id),
        );
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('NDJSON publish stream and a SIGKILL', () => {
  const SECRET = 'ingest-stream-kill-secret-0123456789abc';
  const key = new TextEncoder().encode(SECRET);
  const token = async (role: 'agent' | 'staff') => (await mintToken(key, { sub: `${role}-t`, role, shows: ['*'] }, 3600)).token;
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every line acked before the hub is killed is stored after the restart, once, in line order', async () => {
    const env = { HUB_DATA_DIR: dir, HUB_SECRET: SECRET, HUB_LOG_LEVEL: 'warn' };
    const hub = await spawnHub(env);
    const s = openStream(`${hub.url}/api/shows/kill/events/stream`, await token('agent'));
    let killed = false;
    // Lines go out in small writes until the hub has acked 1000; then it is killed mid-stream.
    let seq = 0;
    while (!killed && seq < 100_000) {
      s.write(Array.from({ length: 50 }, () => `${tick(++seq)}\n`).join(''));
      await new Promise((r) => setTimeout(r, 2));
      if (s.acks.length >= 1000) {
        // More lines on the wire, and the kill right behind them: some are surely not stored yet.
        s.write(Array.from({ length: 5000 }, () => `${tick(++seq)}\n`).join(''));
        killed = true;
        hub.child.kill('SIGKILL');
      }
    }
    assert.equal(await hub.exited, 'SIGKILL');
    await s.answered;
    const acked = s.acks.filter((a) => a.id);
    assert.ok(acked.length >= 1000);
    assert.ok(seq > acked.length, 'lines were in flight, unacked, when the hub died');

    const again = await spawnHub(env);
    try {
      const stored = await readHistory(again.url, 'kill', await token('staff'));
      const byId = new Map(stored.map((e) => [e.id, e.seq]));
      for (const a of acked) assert.equal(byId.get(a.id), a.line, `acked line ${a.line} survived`);
      // Whatever was stored beyond the acks is a prefix of the lines, in order, each once.
      assert.deepEqual(
        stored.map((e) => e.seq),
        Array.from({ length: stored.length }, (_, i) => i + 1),
      );
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
