import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHub, type TestHub } from '@showwire/testkit';

const here = dirname(fileURLToPath(import.meta.url));
export const DASHBOARD = join(here, '..', '..');
export const ARTIFACTS = join(DASHBOARD, '..', 'test-artifacts');

/**
 * The hub serves the built dashboard. `npm test` builds first; run alone, a test builds it
 * here when `dashboard/dist` is missing (rebuild by hand after changing the app).
 */
export function ensureBuilt(): void {
  if (existsSync(join(DASHBOARD, 'dist', 'index.html'))) return;
  // Quiet unless it fails: then its output is the error's message.
  try {
    execFileSync('npm', ['run', 'build'], { cwd: DASHBOARD, stdio: 'pipe', timeout: 300_000 });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`the dashboard build failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
  }
}

/**
 * A moment as the dashboard writes it (`formatClock`): the time alone today, the date and the zone
 * around it on another day. A test that reads a time a few minutes off now can cross midnight
 * (a run at 23:59 read "Tue, Dec 8, 00:05:28 UTC"), so it matches both forms.
 */
export const CLOCK = String.raw`(?:[A-Z][a-z]{2}, (?:[A-Z][a-z]{2} \d{1,2}|\d{1,2} [A-Z][a-z]{2}), \d\d:\d\d:\d\d \S+|\d\d:\d\d:\d\d)`;

/** Debian's Chromium with the project's flags, and `extraArgs` (fake media devices, for instance). */
export function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** An attribute's value once `predicate` holds for it (Playwright waits; bounded by `timeout`). */
export async function waitAttr(page: Page, selector: string, attr: string, predicate: (value: string) => boolean, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await page.locator(selector).first().getAttribute(attr, { timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
    if (last !== null && predicate(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector}[${attr}] never satisfied the condition; last value ${JSON.stringify(last)}`);
}

/** A fresh context and page at `url`, signed in with `token` (the app moves it from the URL into sessionStorage). */
export async function openPage(browser: Browser, url: string, token: string, viewport = { width: 1440, height: 900 }): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const signed = new URL(url);
  signed.searchParams.set('token', token);
  await page.goto(signed.href);
  return { page, context };
}

export interface BrowserRig {
  hub: TestHub;
  browser: Browser;
  /** Publishes to every show. */
  agent: string;
  /** Reads every show. */
  staff: string;
  /** `openPage` on this hub: `path` is relative to its URL. */
  open: (path: string, token: string, viewport?: { width: number; height: number }) => Promise<{ page: Page; context: BrowserContext }>;
  close(): Promise<void>;
}

/** The built app, a real in-process hub serving it, Chromium, and the two tokens most tests need. */
export async function startRig(env: Record<string, string> = {}): Promise<BrowserRig> {
  ensureBuilt();
  const hub = await startHub(env);
  const browser = await launch();
  return {
    hub,
    browser,
    agent: await hub.token('agent', ['*']),
    staff: await hub.token('staff', ['*']),
    open: (path, token, viewport) => openPage(browser, hub.url + path, token, viewport),
    close: async () => {
      await browser.close();
      await hub.close();
    },
  };
}
