import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecordingFile } from '@showwire/protocol';
import { getJson, publishAsHub, startHub, tempDir, writeTestRecording, type TestHub } from '@showwire/testkit';
import { finishRecording } from '../src/recordings/finish.js';

/** A closed recording turned into the guide's files, listed, and served with Range under the show's access rules. */

const SHOW = 'rec-show';
const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
const probe = (path: string) =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', path]).toString()) as {
    format: { duration: string };
    streams: Array<{ codec_type: string; codec_name: string }>;
  };

describe('recordings', () => {
  let hub: TestHub;
  let dataDir: string;
  let dir: string;
  let files: RecordingFile[];
  let host: string;

  before(async () => {
    dataDir = tempDir();
    dir = join(dataDir, 'recordings');
    mkdirSync(dir, { recursive: true });
    const mkv = join(dir, `${SHOW}-2026-12-07T20-00-00-000Z.mkv`);
    writeTestRecording(mkv);
    ({ files } = await finishRecording(mkv));
    hub = await startHub({ HUB_DATA_DIR: dataDir });
    host = await hub.token('host', [SHOW]);
    // The live session publishes this when its recording closes (only the hub may).
    await publishAsHub(hub, SHOW, [{ type: 'recording_ready', path: mkv, sessionId: '7', durationSeconds: 2, files }]);
  });
  after(() => hub?.close());

  it('closes into MP4 (streams copied, not re-encoded) and WAV (PCM), each with its size and sha256', () => {
    assert.deepEqual(files.map((f) => [f.kind, f.contentType]), [['video', 'video/mp4'], ['audio', 'audio/wav'], ['original', 'video/x-matroska']]);
    for (const f of files) {
      const bytes = readFileSync(join(dir, f.id));
      assert.equal(f.size, bytes.length, f.id);
      assert.equal(f.sha256, sha(bytes), f.id);
    }
    const mp4 = probe(join(dir, files[0]!.id));
    assert.deepEqual(mp4.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'video:h264']);
    assert.ok(Math.abs(Number(mp4.format.duration) - 2) < 0.2, mp4.format.duration);
    const wav = probe(join(dir, files[1]!.id));
    assert.deepEqual(wav.streams.map((s) => `${s.codec_type}:${s.codec_name}`), ['audio:pcm_s16le']);
    assert.ok(!existsSync(join(dir, `${files[0]!.id}.part`)), 'no .part file is left');
  });

  it('lists a show\'s recordings for its host, and refuses other hosts and viewers', async () => {
    const list = await getJson(`${hub.url}/api/shows/${SHOW}/recordings`, host);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.recordings.length, 1);
    const r = list.body.recordings[0];
    assert.equal(r.show, SHOW);
    assert.equal(r.sessionId, '7');
    assert.equal(r.durationSeconds, 2);
    assert.deepEqual(r.files.map((f: { url: string }) => f.url), files.map((f) => `/api/recordings/${f.id}`));
    for (const [token, message] of [[await hub.token('host', ['other']), /does not cover show "rec-show"/], [await hub.token('viewer', [SHOW]), /viewer token cannot fetch recordings/]] as const) {
      const refused = await getJson(`${hub.url}/api/shows/${SHOW}/recordings`, token);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'forbidden');
      assert.match(refused.body.message, message);
    }
  });

  it('serves a file whole and by Range (what a <video> seeks with), with ?access_token= for a plain link', async () => {
    const mp4 = files[0]!;
    const whole = await fetch(`${hub.url}/api/recordings/${mp4.id}?access_token=${host}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(sha(Buffer.from(await whole.arrayBuffer())), mp4.sha256);

    const part = await fetch(`${hub.url}/api/recordings/${mp4.id}`, { headers: { authorization: `Bearer ${host}`, range: 'bytes=100-1099' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-1099/${mp4.size}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), readFileSync(join(dir, mp4.id)).subarray(100, 1100));

    const tail = await fetch(`${hub.url}/api/recordings/${mp4.id}`, { headers: { authorization: `Bearer ${host}`, range: `bytes=${mp4.size}-` } });
    assert.equal(tail.status, 416);
    assert.equal(tail.headers.get('content-range'), `bytes */${mp4.size}`);
    assert.equal(((await tail.json()) as { error: string }).error, 'range_not_satisfiable');
  });

  it('answers 404, 403 and 400 in the hub\'s error shape', async () => {
    const missing = await getJson(`${hub.url}/api/recordings/nothing-here.mp4`, host);
    assert.deepEqual([missing.status, missing.body.error], [404, 'not_found']);
    const other = await getJson(`${hub.url}/api/recordings/${files[1]!.id}`, await hub.token('host', ['other']));
    assert.deepEqual([other.status, other.body.error], [403, 'forbidden']);
    const bad = await getJson(`${hub.url}/api/recordings/${encodeURIComponent('../secret.txt')}`, host);
    assert.deepEqual([bad.status, bad.body.error], [400, 'validation_failed']);
  });

  it('HUB_RECORDINGS_RETENTION_DAYS deletes old files and stops listing them', async () => {
    await hub.close();
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (const f of files) utimesSync(join(dir, f.id), old, old);
    await new Promise((r) => setTimeout(r, 1100));
    // 0.00001 days is under a second: the announcement above is older than that by now.
    hub = await startHub({ HUB_DATA_DIR: dataDir, HUB_RECORDINGS_RETENTION_DAYS: '0.00001' });
    const list = await getJson(`${hub.url}/api/shows/${SHOW}/recordings`, await hub.token('host', [SHOW]));
    assert.deepEqual(list.body, { recordings: [] });
    const gone = await getJson(`${hub.url}/api/recordings/${files[0]!.id}`, await hub.token('host', [SHOW]));
    assert.equal(gone.status, 404);
    const deadline = Date.now() + 5000;
    while (files.some((f) => existsSync(join(dir, f.id))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(files.filter((f) => existsSync(join(dir, f.id))).map((f) => f.id), []);
    assert.ok(statSync(dir).isDirectory());
  });
});
