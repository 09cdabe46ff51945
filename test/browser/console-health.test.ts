/**
 * The console's Health panel (virtnet doctor) in Chromium against a real
 * virtnetd: a NAT network behind a Docker-style FORWARD DROP (Docker's
 * chains as dockerd 20.10 writes them, restored with iptables-nft in the
 * test namespace; the real dockerd is test/e2e/doctor-firewall.test.ts),
 * the finding shown with its evidence (in English and in Spanish), the
 * fixes applied after a confirmation and taken back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natXml } from '../support/network-testkit.js';
import { guestXml } from '../support/guest-testkit.js';
import { inNetns } from '../e2e/netns.js';
import { type ConsoleFixture, api, canRunBrowserTests, login, startConsole } from './harness.js';

const DOCKER = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
`;

describe.skipIf(!canRunBrowserTests())('the Health panel', { timeout: 90_000 }, () => {
  let f: ConsoleFixture;

  beforeAll(async () => {
    f = await startConsole();
    await api(f, 'POST', '/api/networks', { xml: natXml('hnat', '10.77.0') });
    await api(f, 'POST', '/api/networks/hnat/start');
    inNetns(f.ns, 'iptables-nft-restore', [], DOCKER);
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it("shows Docker's DROP with its evidence, applies the fixes after asking, and takes them back", async () => {
    const { page } = f;
    await login(f);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Health', exact: true }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    const row = page.getByTestId('finding-foreign-forward-drop');
    await row.getByText('Failed').waitFor();
    expect(await row.textContent()).toContain("iptables-nft (Docker's rules): traffic from virbr");
    await f.shot('health-1-docker-drop');

    await page.getByRole('button', { name: 'Apply the fixes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply the reversible fixes?' });
    await dialog.getByRole('button', { name: 'Apply the fixes' }).click();
    await row.getByText('OK').waitFor();
    expect(inNetns(f.ns, 'iptables-nft', ['-S', 'DOCKER-USER'])).toContain('-m comment --comment virtnet-doctor -j ACCEPT');
    await f.shot('health-2-fixed');

    await page.getByRole('button', { name: /^Undo the fixes \(\d+\)$/ }).click();
    await row.getByText('Failed').waitFor();
    expect(inNetns(f.ns, 'iptables-nft', ['-S', 'DOCKER-USER'])).toBe('-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n');

    // In Spanish, the daemon's findings are said from their phrases, as the CLI says them.
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Salud' }).waitFor();
    await row.getByText('Falla').waitFor();
    expect(await row.textContent()).toContain("cortafuegos ajeno, red 'hnat'");
    expect(await row.textContent()).toContain('iptables-nft (reglas de Docker): el tráfico de virbr');
    expect(await row.textContent()).toContain('virtnet doctor --fix (reglas de aceptación para los puentes; virtnet doctor --undo las quita)');
    await f.shot('health-es-finding');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    expect(f.errors).toEqual([]);
  });

  it("plots a network's traffic live: a guest pinging its gateway shows as a rate, and its vNIC in the table", async () => {
    const { page } = f;
    await api(f, 'POST', '/api/guests', { xml: guestXml('hg', { nics: ['network:hnat'] }) });
    await api(f, 'POST', '/api/guests/hg/start');
    const exec = (argv: string[]) => api<{ exitCode: number }>(f, 'POST', '/api/guests/hg/exec', { argv });
    await exec(['ip', 'link', 'set', 'eth0', 'up']);
    await exec(['ip', 'addr', 'add', '10.77.0.50/24', 'dev', 'eth0']);
    await page.goto(`${f.url}#/networks/hnat/traffic`);
    await page.getByTestId('traffic-vnics').getByText('hg', { exact: true }).waitFor();
    // 40 pings of 1000 bytes over 8 s: two samples 5 s apart see them.
    const pinging = exec(['ping', '-c', '100', '-i', '0.2', '-s', '1000', '10.77.0.1']);
    await page
      .getByTestId('traffic-now')
      .getByText(/send [\d.]+ kB\/s/)
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('traffic-tx').getAttribute('points')).toMatch(/\d/);
    await f.shot('health-3-traffic');
    // The topology shows the vNIC's link as busy while it pings.
    await page.goto(`${f.url}#/topology`);
    await page
      .getByTestId('topology-links')
      .getByText(/hnat → vnet0 — busy: [\d.]+ kB\/s/)
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('path[data-busy="true"]').count()).toBe(1);
    await f.shot('health-4-topology-busy');
    await pinging;
    expect(f.errors).toEqual([]);
  }, 60_000);
});
