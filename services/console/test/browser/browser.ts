import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium: playwright-core drives it and never downloads a browser of its own. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install Debian's chromium (scripts/setup.sh --for-tests)`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The screenshot size: small files for docs/console.md and the README. */
export const viewport = { width: 1280, height: 800 };

const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'docs', 'screenshots');

/** Overwrites docs/screenshots/<name>.png with what the page shows now. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

/**
 * Signs in through the provider's own login page, as a person would: open the console, get sent
 * to the provider, type the account and password, and come back.
 */
export async function signIn(page: Page, consoleUrl: string, login: string, password: string) {
  await page.goto(consoleUrl);
  return submitLogin(page, login, password);
}

/** On the provider's login page: types the account and password and waits for the console's callback to answer. */
export async function submitLogin(page: Page, login: string, password: string) {
  await page.getByLabel('Account').fill(login);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/callback'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return response;
}
