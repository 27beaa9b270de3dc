/**
 * Headless Chromium for browser specs: Debian's `chromium` (/usr/bin/chromium, installed by scripts/setup.sh;
 * no browser is ever downloaded) driven by playwright-core, with a fresh profile in a temporary directory and the
 * flags this machine needs (no sandbox as root; no background networking, component updates, sync or QUIC, whose
 * connections the closed network refuses). Each page records its console errors, uncaught exceptions and failed
 * requests in `problems`, so a spec can assert that a view loaded cleanly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['MQ_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A laptop screen. */
export const VIEWPORT = { width: 1366, height: 768 };

export class Browser {
  /** Console errors, page errors and failed requests of every page, as `page: what`. */
  readonly problems: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not at ${CHROMIUM}: install Debian's chromium package (bash scripts/setup.sh does), ` +
          'or set MQ_CHROMIUM to its path.',
      );
    }
    const profile = mkdtempSync(join(tmpdir(), 'mq-chromium-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        viewport: VIEWPORT,
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      return new Browser(context, profile);
    } catch (e) {
      rmSync(profile, { recursive: true, force: true });
      throw e;
    }
  }

  /** A new tab whose problems are recorded. */
  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    const name = () => page.url().replace(/^https?:\/\/[^/]+/, '');
    page.on('console', (m) => {
      if (m.type() === 'error') this.problems.push(`${name()}: console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.problems.push(`${name()}: uncaught: ${e.message}`));
    page.on('requestfailed', (r) => {
      // An event stream cut by navigation is not a failure of the page.
      if (!r.url().endsWith('/api/events')) this.problems.push(`${name()}: request failed: ${r.url()}`);
    });
    return page;
  }

  /** Forgets the problems recorded so far (e.g. after a step that provokes errors on purpose). */
  clearProblems(): void {
    this.problems.length = 0;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
