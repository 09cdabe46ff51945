/**
 * The web console in Debian's Chromium against a real virtnetd whose
 * networks live in a test namespace: log in with the token, create an
 * isolated and a NAT network with the wizard and see them start, refuse an
 * overlapping subnet, add a DHCP reservation live, stop and delete a
 * network, switch to Spanish. Each page is saved as a screenshot in
 * test-results/browser/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunBrowserTests, login, startConsole, type ConsoleFixture } from './harness.js';

describe.skipIf(!canRunBrowserTests())('the web console', () => {
  let f: ConsoleFixture;

  beforeAll(async () => {
    f = await startConsole();
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it('asks for the token first, then shows the networks', async () => {
    const { page } = f;
    await page.goto(f.url);
    await page.getByRole('heading', { name: 'Log in to virtnet' }).waitFor();
    await f.shot('01-login');
    await page.getByLabel('Token').fill('0'.repeat(64));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('the token does not match the one virtnetd wrote to its run directory (RUN/token)').waitFor();
    await login(f);
    await page.getByRole('heading', { name: 'No networks yet' }).waitFor();
    await f.shot('02-networks-empty');
  });
});
