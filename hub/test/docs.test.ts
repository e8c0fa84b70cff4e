import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { knownEventTypes } from '@showwire/protocol';
import { REPO_ROOT, startHub, startReceiver, tempDir, type TestHub } from '@showwire/testkit';
import { ERROR_CODES } from '../src/errors.js';
import { CONFIGURATION_MD, renderConfiguration } from '../../docs/tools/configuration.ts';
import { brokenLinks, codeBlocks, isRunnable, isShell, markdownFiles, type CodeBlock } from './helpers/markdown.js';

/**
 * The docs cannot rot: every shell block in them runs against a live hub (or says `norun`), every
 * relative link resolves, the configuration page is what the zod schemas render, and the error
 * catalogue and the event types are all there.
 */
const run = promisify(execFile);
const files = markdownFiles(REPO_ROOT);
const blocks = files.flatMap((f) => codeBlocks(f));
const where = (b: CodeBlock) => `${relative(REPO_ROOT, b.file)}:${b.line}`;
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** Runs one block with bash, `set -eu`: the block fails if any command in it does. */
async function runBlock(block: CodeBlock, env: Record<string, string>) {
  try {
    await run('bash', ['-c', `set -eu\n${block.body}`], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 90_000 });
    return undefined;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return `${where(block)} exited ${e.code}\n--- block\n${block.body}\n--- stdout\n${e.stdout}\n--- stderr\n${e.stderr}`;
  }
}

describe('docs', () => {
  it('finds the pages, and the checks below can fail', () => {
    for (const page of ['README.md', 'docs/architecture.md', 'docs/configuration.md', 'bench/README.md']) {
      assert.ok(files.includes(join(REPO_ROOT, page)), `${page} is checked`);
    }
    const sample = '# T\n\n```\nls\n```\n\n```sh norun\nnpm start\n```\n\n```sh\ncurl x\n```\n[a](nowhere.md) [b](#t) [c](#nope)\n';
    const dir = tempDir('showwire-docs-');
    writeFileSync(join(dir, 'T.md'), sample);
    const found = codeBlocks(join(dir, 'T.md'));
    assert.deepEqual(found.map((b) => [b.line, b.info, isShell(b), isRunnable(b)]), [[3, '', false, false], [7, 'sh norun', true, false], [11, 'sh', true, true]]);
    assert.deepEqual(brokenLinks(dir, join(dir, 'T.md')), ['T.md: nowhere.md', 'T.md: #nope (no such heading)']);
    rmSync(dir, { recursive: true });
  });

  it('labels every code block, and every shell block is run or marked norun', () => {
    const unlabelled = blocks.filter((b) => b.info === '').map(where);
    assert.deepEqual(unlabelled, [], 'a fence without an info string could hide a command from this test');
    // Only these languages are not commands; anything else must be a shell block (run or norun).
    const other = blocks.filter((b) => !isShell(b) && !/^(json|ts|typescript|nginx|text|ini|yaml|http)( norun)?$/.test(b.info)).map((b) => `${where(b)} ${b.info}`);
    assert.deepEqual(other, []);
    assert.ok(blocks.filter(isRunnable).length >= 15, `only ${blocks.filter(isRunnable).length} runnable blocks`);
  });

  it('has no broken relative link or heading anchor', () => {
    assert.deepEqual(files.flatMap((f) => brokenLinks(REPO_ROOT, f)), []);
  });

  it('has docs/configuration.md as the zod schemas render it (npm run docs:config)', () => {
    const page = renderConfiguration();
    assert.equal(readFileSync(CONFIGURATION_MD, 'utf8'), page);
    // .env.example is written by hand; it must still name every variable (set or commented out).
    const example = read('.env.example');
    const names = [...page.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    assert.ok(names.length > 60, `${names.length} variables`);
    assert.deepEqual(names.filter((n) => !new RegExp(`^#? ?${n}=`, 'm').test(example)), []);
  });

  it('lists every error code with its status, and no other', () => {
    const rows = [...read('docs/http-api.md').matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(rows, Object.entries(ERROR_CODES));
  });

  it('leaves no source comment pointing at a design document outside the repository', async () => {
    // git grep: the tracked sources only, not node_modules or build output.
    const { stdout } = await run('git', ['grep', '-n', '-E', 'DESIGN\\.md|\\.\\./shared/', '--', '*.ts', '*.tsx', ':!hub/test/docs.test.ts'], { cwd: REPO_ROOT }).catch((e: { code?: number; stdout?: string }) =>
      e.code === 1 ? { stdout: '' } : Promise.reject(e as Error),
    );
    assert.equal(stdout, '');
  });

  it('names every known event type', () => {
    const events = read('docs/events.md');
    assert.deepEqual(knownEventTypes.filter((t) => !events.includes('`' + t + '`')), []);
  });

  describe('runs every shell block against a live hub', () => {
    let hub: TestHub;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let env: Record<string, string>;
    const secret = randomBytes(32).toString('hex');
    before(async () => {
      // Private addresses allowed: the webhook examples point at a receiver on loopback.
      hub = await startHub({ HUB_SECRET: secret, HUB_WEBHOOK_ALLOW_PRIVATE: 'true', HUB_HEARTBEAT_MS: '500', HUB_LOG_LEVEL: 'warn' });
      receiver = await startReceiver(() => ({ status: 204 }));
      env = { HUB: hub.url, TOKEN: await hub.token('admin'), RECEIVER: receiver.url, HUB_SECRET: secret };
    });
    after(async () => {
      await receiver?.close();
      await hub?.close();
    });

    for (const file of files) {
      const runnable = codeBlocks(file).filter(isRunnable);
      if (runnable.length === 0) continue;
      // In document order: a page's later examples may read what its earlier ones published.
      it(relative(REPO_ROOT, file), async () => {
        for (const block of runnable) {
          const failure = await runBlock(block, env);
          assert.equal(failure, undefined, failure);
        }
      });
    }

    it('indexes every path of /openapi.json in docs/http-api.md', async () => {
      const doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      const page = read('docs/http-api.md');
      // OpenAPI writes {show} and {*}; the docs write :show and *, after the method or alone in backticks.
      const paths = Object.keys(doc.paths).map((p) => p.replace(/\{\*\}/g, '*').replace(/\{(\w+)\}/g, ':$1'));
      assert.ok(paths.length > 40);
      const missing = paths.filter((p) => !page.includes(` ${p}\``) && !page.includes(`\`${p}\``));
      assert.deepEqual(missing, []);
    });

    it('fails a block that fails', async () => {
      const failure = await runBlock({ file: join(REPO_ROOT, 'x.md'), line: 1, info: 'sh', body: 'curl -fsS "$HUB/api/shows"' }, { ...env, TOKEN: '' });
      assert.match(failure ?? '', /x\.md:1 exited 22/);
    });
  });
});
