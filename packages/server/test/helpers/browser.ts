import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: playwright's own browser download needs a network this machine does not have. */
export const CHROMIUM = '/usr/bin/chromium';
/** A name for 127.0.0.1 that Chromium, unlike for 127.0.0.1 itself, treats as an insecure origin: a plain-http intranet host. */
export const PLAIN_HTTP_HOST = 'snek.test';
/** Another site, also on 127.0.0.1: where the cross-site tests serve their hostile pages from. */
export const FOREIGN_HOST = 'evil.test';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', `--host-resolver-rules=MAP ${PLAIN_HTTP_HOST} 127.0.0.1, MAP ${FOREIGN_HOST} 127.0.0.1`];

/**
 * Why the browser tests cannot run here, or null when they can. Without Chromium a developer's run skips
 * them; CI installs it (.ci/run), so there its absence is a failure.
 */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} is missing: apt-get install chromium to run the browser tests`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true, so this fails instead of skipping)`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}
