/**
 * The browser tests' fixture: the console built into a private folder (so a
 * stale dist/ never hides a change), a real virtnetd whose networks live in
 * a test namespace with an uplink `eth0` behind it (so NAT has a device to
 * forward to), and Debian's Chromium driven by playwright-core.
 *
 * Everything is removed at the end whatever happened: the daemon (by PID,
 * through test/e2e/daemon-process.ts), the namespaces, the browser and its
 * fresh profile. Screenshots go to test-results/browser/ (gitignored).
 * Every console error and uncaught page error is collected, so a test can
 * assert there were none.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer } from 'node:net';
import { endAllDaemons, startServing, type DaemonProcess } from '../e2e/daemon-process.js';
import { deleteGuestNamespaces } from '../e2e/guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, vethBetween } from '../e2e/netns.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = join(repo, 'test-results', 'browser');
export const CHROMIUM = '/usr/bin/chromium';

export function canRunBrowserTests(): boolean {
  return canUseNetns() && existsSync(CHROMIUM);
}

/** Build the console once into a private folder; returns the folder. */
export async function buildConsole(): Promise<string> {
  const cache = join(repo, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'virtnet-console-'));
  const { buildWeb } = (await import(join(repo, 'scripts/build-web.mjs'))) as { buildWeb: (dir: string) => Promise<void> };
  await buildWeb(out);
  return out;
}

export interface ConsoleFixture {
  url: string;
  token: string;
  /** The namespace the daemon's networks live in. */
  ns: string;
  uplink: string;
  root: string;
  consoleDir: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Requests the daemon answered with an error ("METHOD PATH STATUS"); Chromium logs each as a console error. */
  failed: string[];
  shot(name: string): Promise<string>;
  /** The daemon's read-write socket (for the CLI: -c unix://SOCKET). */
  socket(): string;
  /** Stop the daemon (SIGTERM) and wait until it is gone; its networks keep running. */
  stopDaemon(): Promise<void>;
  /** Start the daemon again on the same root and port (`extra` options appended, e.g. --new-token). */
  startDaemon(extra?: string[]): Promise<void>;
  close(): Promise<void>;
}

/** A free TCP port on the loopback address, so the daemon listens on the same one after a restart. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ConsoleOptions {
  locale?: string;
  /** Run the daemon in this existing namespace (a lab host's), with these options more; the fixture neither makes nor removes it. */
  host?: { netns: string; args: string[] };
}

export async function startConsole(options: ConsoleOptions = {}): Promise<ConsoleFixture> {
  const consoleDir = await buildConsole();
  const own = options.host === undefined;
  const ns = options.host?.netns ?? createNetns('web');
  const uplink = own ? createNetns('webup') : '';
  const dropNamespaces = (): void => {
    if (!own) return;
    deleteGuestNamespaces(ns);
    deleteNetns(ns);
    deleteNetns(uplink);
  };
  const root = mkdtempSync(join(tmpdir(), 'vnt-web-'));
  const profile = mkdtempSync(join(tmpdir(), 'vnt-chromium-'));
  /** End the daemons and remove the namespaces and folders (after the browser is closed). */
  const removeAll = async (): Promise<void> => {
    await endAllDaemons();
    dropNamespaces();
    for (const dir of [root, profile, consoleDir]) rmSync(dir, { recursive: true, force: true });
  };
  let context: BrowserContext | undefined;
  try {
    if (own) {
      // The namespace's "outside": eth0 with an address and a default route through the uplink namespace.
      vethBetween(ns, 'eth0', uplink, 'eth0');
      inNetns(ns, 'ip', ['addr', 'add', '203.0.113.2/24', 'dev', 'eth0']);
      inNetns(uplink, 'ip', ['addr', 'add', '203.0.113.1/24', 'dev', 'eth0']);
      inNetns(ns, 'ip', ['route', 'add', 'default', 'via', '203.0.113.1']);
    }

    process.env['VIRTNET_CONSOLE_DIR'] = consoleDir;
    const port = await freePort();
    const args = ['--root', root, '--netns', ns, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', ...(options.host?.args ?? [])];
    let d: DaemonProcess & { socket: string; token?: string } = await startServing(args);
    const url = `http://127.0.0.1:${port}/`;

    // A fresh profile (--user-data-dir) each run; playwright passes it for a persistent context.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      locale: options.locale ?? 'en-US',
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    const failed: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.request().method()} ${new URL(res.url()).pathname} ${res.status()}`);
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    const c = context;
    const fixture: ConsoleFixture = {
      url,
      token: d.token ?? '',
      ns,
      uplink,
      root,
      consoleDir,
      context: c,
      page,
      errors,
      failed,
      async shot(name) {
        const file = join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      socket: () => d.socket,
      async stopDaemon() {
        d.child.kill('SIGTERM');
        await d.exited;
      },
      async startDaemon(extra = []) {
        d = await startServing([...args, ...extra]);
        fixture.token = d.token ?? '';
      },
      async close() {
        await c.close().catch(() => {});
        await removeAll();
      },
    };
    return fixture;
  } catch (err) {
    await context?.close().catch(() => {});
    await removeAll();
    throw err;
  }
}

/** Log in through the login page. */
export async function login(f: ConsoleFixture): Promise<void> {
  await f.page.goto(f.url);
  await f.page.getByLabel('Token').fill(f.token);
  await f.page.getByRole('button', { name: 'Log in' }).click();
  await f.page.getByRole('heading', { name: 'Virtual networks' }).waitFor();
}

/** Call the daemon's API from the test itself, with the token (to set the scene or check the result). */
export async function api<T = unknown>(f: ConsoleFixture, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, f.url), {
    method,
    headers: { authorization: `Bearer ${f.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Close the toasts, which sit over the top-right corner of the page. */
export async function dismissToasts(f: ConsoleFixture): Promise<void> {
  for (const button of await f.page.getByRole('button', { name: 'Close notification' }).all()) await button.click({ timeout: 1000 }).catch(() => {});
}

/**
 * Controls a user cannot name: every visible form field needs a label (a
 * <label>, aria-label or aria-labelledby), every visible button, link, tab
 * and menu item a text or a label. Returns a line per offender.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const visible = (el: Element): boolean => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const labelOf = (el: Element): string => {
      const aria = el.getAttribute('aria-label');
      if (aria?.trim()) return aria;
      const by = el.getAttribute('aria-labelledby');
      if (by) {
        const text = by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ')
          .trim();
        if (text) return text;
      }
      const labels = (el as HTMLInputElement).labels;
      if (labels?.length)
        return Array.from(labels)
          .map((l) => l.textContent ?? '')
          .join(' ')
          .trim();
      return el.getAttribute('title') ?? '';
    };
    const describe = (el: Element): string =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))) {
      if (visible(el) && !labelOf(el)) out.push(`field ${describe(el)}`);
    }
    for (const el of Array.from(document.querySelectorAll('button, a[href], [role=button], [role=tab], [role=menuitem], [role=switch]'))) {
      if (visible(el) && !(el.textContent ?? '').trim() && !labelOf(el)) out.push(`control ${describe(el)}`);
    }
    return out;
  });
}
