import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RecordingFile } from '@showwire/protocol';
import { getJson, publishAsHub, startHub, startRedis, startS3, tempDir, writeFinishedRecording, type RedisServer, type S3Server, type TestHub } from '@showwire/testkit';
import { describeFile } from '../src/recordings/finish.js';

/** Many hubs, one S3-compatible store (gofakes3, real HTTP): any hub serves any hub's recording; a crash mid-upload announces nothing. */

const SHOW = 's3-show';
const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

describe('recordings in an S3-compatible store', () => {
  let redis: RedisServer;
  let s3: S3Server;
  let a: TestHub;
  let b: TestHub;
  const dirs: string[] = [];

  before(async () => {
    [redis, s3] = await Promise.all([startRedis(), startS3()]);
    const env = () => {
      const dir = tempDir();
      dirs.push(dir);
      return { HUB_DATA_DIR: dir, HUB_STORE: redis.url, HUB_SECRET: 's'.repeat(40), HUB_RECORDINGS_S3_URL: s3.url };
    };
    a = await startHub(env());
    b = await startHub(env());
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await s3?.stop();
    await redis?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a recording closed on hub A is uploaded, announced, and served by hub B from the store, with Range', async () => {
    const dir = a.app.hub.recordingStorage.dir;
    const files = await writeFinishedRecording(join(dir, `${SHOW}-2026-12-07T21-00-00-000Z.mkv`), 2);
    // What the live session does at close (session-manager.ts): keep, then announce.
    await a.app.hub.recordingStorage.keep(dir, files);
    await publishAsHub(a, SHOW, [{ type: 'recording_ready', path: 'x.mkv', files }]);

    const host = await b.token('host', [SHOW]);
    const deadline = Date.now() + 10_000;
    let listed = await getJson(`${b.url}/api/shows/${SHOW}/recordings`, host);
    while (listed.body.recordings?.length !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await getJson(`${b.url}/api/shows/${SHOW}/recordings`, host);
    }
    assert.equal(listed.body.recordings.length, 1, 'B lists what A announced');

    const mp4 = files[0]!;
    const local = readFileSync(join(dir, mp4.id));
    const whole = await fetch(`${b.url}/api/recordings/${mp4.id}`, { headers: { authorization: `Bearer ${host}` } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(sha(Buffer.from(await whole.arrayBuffer())), mp4.sha256);
    const part = await fetch(`${b.url}/api/recordings/${mp4.id}`, { headers: { authorization: `Bearer ${host}`, range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${mp4.size}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), local.subarray(1000, 2000));
    const other = await getJson(`${b.url}/api/recordings/${mp4.id}`, await b.token('host', ['other']));
    assert.deepEqual([other.status, other.body.error], [403, 'forbidden']);
  });

  it('a hub killed mid-upload leaves no object in the store and announces nothing', async () => {
    const dir = join(tempDir(), 'recordings');
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    const id = `${SHOW}-crash.mkv`;
    writeFileSync(join(dir, id), randomBytes(40 * 1024 * 1024));
    const files: RecordingFile[] = [await describeFile(join(dir, id), 'original')];
    const job = { s3Url: s3.url, dir, files, hubUrl: a.url, token: await a.token('admin'), show: 'crash-show' };
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(import.meta.dirname, 'helpers', 'upload-then-announce.ts')], {
      env: { ...process.env, UPLOAD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<string | number | null>((r) => child.once('exit', (code, signal) => r(signal ?? code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no part uploaded within 60 s: ${out}`)), 60_000);
      const onData = (c: Buffer) => {
        out += c.toString();
        if (out.includes('part')) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    });
    assert.equal(await exited, 'SIGKILL');
    assert.ok(!out.includes('announced'), out);

    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'testsecret' } });
    try {
      const listing = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
      const keys = (listing.Contents ?? []).map((o) => o.Key);
      assert.ok(!keys.includes(id), `no half object: ${keys.join(', ')}`);
      assert.ok(keys.length > 0, 'the first test\'s objects are there: the listing works');
    } finally {
      client.destroy();
    }
    const listed = await getJson(`${a.url}/api/shows/crash-show/recordings`, await a.token('staff'));
    assert.deepEqual(listed.body, { recordings: [] });
  });
});
