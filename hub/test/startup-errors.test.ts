import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXIT } from '../src/startup.js';
import { HUB_MAIN, postJson, REPO_ROOT, spawnHub, startHub, tempDir } from '@showwire/testkit';

/** Runs the hub process until it exits by itself; what a person starting it sees, and its exit code. */
function runHub(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', HUB_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', HUB_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

/** One line starting `showwire hub:`, saying what to do, with no stack trace and no start. */
function assertOneLine(out: string, what: RegExp) {
  const lines = out.split('\n').filter((l) => l.startsWith('showwire hub:'));
  assert.equal(lines.length, 1, `expected one error line:\n${out}`);
  assert.match(lines[0]!, what);
  assert.doesNotMatch(out, /\n\s+at .*:\d+:\d+|SqliteError|Showwire dashboard/, `a stack trace or a start:\n${out}`);
}

/** Start-up failures an operator can act on: one line each and a documented exit code. */
describe('start-up errors', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('port in use: exit 3, naming the port and PORT', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, out } = await runHub({ PORT: String(port), HUB_DATA_DIR: dir() });
      assert.equal(code, EXIT.cannotListen);
      assertOneLine(out, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use; .*set PORT`));
    } finally {
      blocker.close();
    }
  });

  it('a data dir that cannot be written: exit 4, naming HUB_DATA_DIR', async () => {
    // A path below a regular file can never be created, whoever runs the test (root too).
    const file = join(dir(), 'a-file');
    writeFileSync(file, 'not a directory');
    const { code, out } = await runHub({ HUB_DATA_DIR: join(file, 'data') });
    assert.equal(code, EXIT.dataDir);
    assertOneLine(out, /HUB_DATA_DIR=.*a-file\/data is not a directory the hub can write \(ENOTDIR\); point HUB_DATA_DIR/);
  });

  it('a corrupt database: exit 5, naming the file and what to do', async () => {
    const data = dir();
    writeFileSync(join(data, 'events.db'), Buffer.alloc(8192, 'garbage!'));
    const { code, out } = await runHub({ HUB_DATA_DIR: data });
    assert.equal(code, EXIT.corruptLog);
    assertOneLine(out, /events\.db is not a readable SQLite database \(file is not a database\); restore it from a backup/);
  });

  it('a database damaged mid-file (found by the first reads, not the open): exit 5 with one line', async () => {
    const data = dir();
    const hub = await startHub({ HUB_DATA_DIR: data, HUB_AUTH: 'off' });
    for (let i = 0; i < 20; i++) {
      const res = await postJson(`${hub.url}/api/shows/s${i % 4}/events`, Array.from({ length: 100 }, (_, n) => ({ type: 'filler', n, text: 'x'.repeat(200) })));
      assert.equal(res.status, 201);
    }
    await hub.close();
    for (const f of ['events.db-wal', 'events.db-shm']) rmSync(join(data, f), { force: true });
    // The header and schema pages stay whole; the pages of the events in the middle do not.
    const file = join(data, 'events.db');
    const size = statSync(file).size;
    assert.ok(size > 256 * 1024, `a log of several hundred pages (${size} bytes)`);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(128 * 1024, 'garbage!'), 0, 128 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const { code, out } = await runHub({ HUB_DATA_DIR: data });
    assert.equal(code, EXIT.corruptLog);
    assertOneLine(out, /events\.db is not a readable SQLite database \((database disk image is malformed|file is not a database)\); restore it from a backup/);
  });

  it('Redis unreachable at start: exit 7, naming HUB_STORE (never its password)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const { code, out } = await runHub({ HUB_DATA_DIR: dir(), HUB_STORE: `redis://:hunter2@127.0.0.1:${port}`, HUB_SECRET: 's'.repeat(40) });
    assert.equal(code, EXIT.storeUnreachable);
    assertOneLine(out, new RegExp(`the Redis of HUB_STORE=redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} cannot be reached \\(connect ECONNREFUSED .*\\); start it`));
    assert.doesNotMatch(out, /hunter2/);
  });

  it('a data dir that can never exist (under /proc): exit 4 at once, not a hang', async () => {
    const started = Date.now();
    const { code, out } = await runHub({ HUB_DATA_DIR: '/proc/showwire-no-such/data' });
    assert.equal(code, EXIT.dataDir, out);
    assertOneLine(out, /HUB_DATA_DIR=\/proc\/showwire-no-such\/data is not a directory the hub can write \(ENOENT\)/);
    assert.ok(Date.now() - started < 20_000, 'it stopped at once');
  });

  it('an emptied database where there were events: exit 6 instead of ids restarting at 1; deleting the marker starts anew', async () => {
    const data = dir();
    const hub = await spawnHub({ HUB_DATA_DIR: data, HUB_AUTH: 'off' });
    const posted = await postJson(`${hub.url}/api/shows/s/events`, [{ type: 'a' }, { type: 'b' }]);
    assert.equal(posted.status, 201);
    hub.child.kill('SIGKILL'); // a crash: the marker was written with the first event, not at close
    await hub.exited;
    for (const f of ['events.db-wal', 'events.db-shm']) rmSync(join(data, f), { force: true });
    truncateSync(join(data, 'events.db'), 0);

    const { code, out } = await runHub({ HUB_DATA_DIR: data });
    assert.equal(code, EXIT.emptiedLog);
    assertOneLine(out, /events\.db is empty, but this data dir has handed out event ids up to [12] .*delete .*events\.db\.marker to start a new log on purpose/);

    rmSync(join(data, 'events.db.marker'));
    const again = await spawnHub({ HUB_DATA_DIR: data, HUB_AUTH: 'off' });
    try {
      const first = await postJson(`${again.url}/api/shows/s/events`, { type: 'c' });
      assert.equal(first.body.ids.length, 1);
      assert.match(first.body.ids[0], /^[a-z0-9]{8}-1$/, 'a new log on purpose starts at 1 (in an epoch of its own)');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('a bad setting: exit 2, each variable on its line, and where to fix it', async () => {
    const { code, out } = await runHub({ HUB_DATA_DIR: dir(), PORT: 'eighty', HUB_AUTH: 'maybe' });
    assert.equal(code, EXIT.badSetting);
    assert.match(out, /showwire hub: invalid configuration:\n {2}PORT: must be a whole number\n {2}HUB_AUTH: .*\n {2}\(fix it in the environment or in \.env; see \.env\.example\)/);
    assert.doesNotMatch(out, /\n\s+at .*:\d+:\d+/);
  });
});
