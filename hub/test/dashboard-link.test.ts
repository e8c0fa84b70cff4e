import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { announceDashboard, DASHBOARD_LINK_FILE } from '../src/auth/dashboard-link.js';
import { getJson, spawnHub, tempDir } from '@showwire/testkit';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** A stand-in for process.stdout / stderr that records what is written. */
const sink = (isTTY: boolean) => {
  let text = '';
  const stream = { isTTY, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
};

describe("the start-up banner's staff token", () => {
  // One data dir for the whole file: each case writes the link file anew.
  const data = tempDir();
  after(() => rmSync(data, { recursive: true, force: true }));

  it('with stdout and stderr piped: the logs and the output hold no token; the link is in a 0600 file whose path is printed', async () => {
    const hub = await spawnHub({ HUB_DATA_DIR: data, HUB_LOG_LEVEL: 'debug' });
    try {
      const file = join(data, DASHBOARD_LINK_FILE);
      assert.match(hub.output(), new RegExp(`Showwire dashboard: ${hub.url}/ \\(sign-in link with a staff token in ${file}, readable by this user only\\)`));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const link = new URL(readFileSync(file, 'utf8').trim());
      assert.equal(link.origin, hub.url);
      const token = link.searchParams.get('token')!;
      assert.match(token, JWT);
      // The token works, and using it (header, query, a bad one) puts it in no log line.
      assert.equal((await getJson(`${hub.url}/api/shows`, token)).status, 200);
      assert.equal((await fetch(`${hub.url}/api/shows?access_token=${token}`)).status, 200);
      assert.equal((await getJson(`${hub.url}/api/shows`, `${token}x`)).status, 401);
    } finally {
      hub.child.kill('SIGTERM');
      assert.equal(await hub.exited, 0);
    }
    assert.doesNotMatch(hub.output(), JWT, 'no JWT-shaped string on stdout or stderr');
  });

  it('to a terminal: the link goes to stderr only; a link file left with a wider mode is narrowed to 0600', () => {
    const out = sink(true);
    const err = sink(false);
    announceDashboard({ base: 'http://h:1', token: 'eyJa.eyJb.sig', dataDir: data, out: out.stream, err: err.stream });
    assert.doesNotMatch(out.text(), JWT);
    assert.match(out.text(), /Showwire dashboard: http:\/\/h:1\/ /);
    assert.equal(err.text(), 'http://h:1/?token=eyJa.eyJb.sig\n\n');

    const file = join(data, DASHBOARD_LINK_FILE);
    rmSync(file, { force: true });
    writeFileSync(file, 'old\n', { mode: 0o644 });
    const piped = sink(false);
    announceDashboard({ base: 'http://h:1', token: 'eyJa.eyJb.sig', dataDir: data, out: piped.stream, err: err.stream });
    assert.doesNotMatch(piped.text(), JWT);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'http://h:1/?token=eyJa.eyJb.sig\n');
  });
});
