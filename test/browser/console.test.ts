/**
 * The web console in Debian's Chromium against a real virtnetd whose
 * networks live in a test namespace: log in with the token, create an
 * isolated and a NAT network with the wizard and see them start, refuse an
 * overlapping subnet, add a DHCP reservation live, stop and delete a
 * network, switch to Spanish. Each page is saved as a screenshot in
 * test-results/browser/.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, canRunBrowserTests, login, startConsole, type ConsoleFixture } from './harness.js';

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

  it('creates an isolated and a NAT network with the wizard, and both start', async () => {
    const { page } = f;
    await page.getByRole('button', { name: 'Create network' }).first().click();
    const wizard = page.getByRole('dialog', { name: 'Create virtual network' });
    await wizard.waitFor();
    // virt-manager's defaults: a unique name, 192.168.100.0/24 with .1 and .128–.254.
    expect(await wizard.getByLabel('Network name').inputValue()).toBe('network');
    await f.shot('03-wizard-name');
    await wizard.getByLabel('Network name').fill('isolated1');
    await wizard.getByRole('button', { name: 'Next' }).click();
    expect(await wizard.getByRole('textbox', { name: 'Network', exact: true }).inputValue()).toBe('192.168.100.0/24');
    expect(await wizard.getByLabel('Gateway (host address)').inputValue()).toBe('192.168.100.1');
    expect(await wizard.getByLabel('DHCP range start').inputValue()).toBe('192.168.100.128');
    expect(await wizard.getByLabel('DHCP range end').inputValue()).toBe('192.168.100.254');
    // The computed fields follow the network (virt-manager's /25 case).
    await wizard.getByRole('textbox', { name: 'Network', exact: true }).fill('192.168.100.0/25');
    expect(await wizard.getByLabel('DHCP range start').inputValue()).toBe('192.168.100.64');
    expect(await wizard.getByLabel('DHCP range end').inputValue()).toBe('192.168.100.126');
    await wizard.getByRole('textbox', { name: 'Network', exact: true }).fill('192.168.100.0/24');
    await f.shot('04-wizard-ipv4');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'Isolated', exact: true }).check();
    await f.shot('05-wizard-forward');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.locator('#wizard-xml').getByText("<ip address='192.168.100.1' netmask='255.255.255.0'>").waitFor();
    expect(await wizard.locator('#wizard-commands').innerText()).toContain('virtnet net-define isolated1.xml\nvirtnet net-start isolated1\nvirtnet net-autostart isolated1');
    await f.shot('06-wizard-summary');
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    const row = page.getByTestId('network-row-isolated1');
    await row.getByTestId('state').getByText('Active').waitFor();
    expect(await row.getByTestId('forward').innerText()).toBe('Isolated');

    // NAT: the next free /24 is suggested, and the forward device comes from the host's interfaces.
    await page.getByRole('button', { name: 'Create network' }).click();
    await wizard.waitFor();
    await wizard.getByLabel('Network name').fill('nat1');
    await wizard.getByRole('button', { name: 'Next' }).click();
    expect(await wizard.getByRole('textbox', { name: 'Network', exact: true }).inputValue()).toBe('192.168.101.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Enable IPv6').check();
    await wizard.getByRole('textbox', { name: 'Network', exact: true }).fill('fd00:beef:10:6::/64');
    expect(await wizard.getByLabel('Gateway (host address)').inputValue()).toBe('fd00:beef:10:6::1');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'NAT', exact: true }).check();
    await wizard.getByLabel('Forward to').selectOption('eth0');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    const nat = page.getByTestId('network-row-nat1');
    await nat.getByTestId('state').getByText('Active').waitFor();
    expect(await nat.getByTestId('forward').innerText()).toBe('NAT to eth0');
    await expect.poll(() => nat.innerText()).toContain('fd00:beef:10:6::/64');
    await f.shot('07-networks-two');
  });

  it('refuses an overlapping subnet before submit, and shows the daemon refusing one it could not foresee', async () => {
    const { page } = f;
    const wizard = page.getByRole('dialog', { name: 'Create virtual network' });
    const network = wizard.getByRole('textbox', { name: 'Network', exact: true });
    const next = wizard.getByRole('button', { name: 'Next' });

    // Overlap with a running network, and with a host route: refused, Next held.
    await page.getByRole('button', { name: 'Create network' }).click();
    await wizard.getByLabel('Network name').fill('clash');
    await next.click();
    await network.fill('192.168.100.128/25');
    await wizard.getByText('Overlaps 192.168.100.0/24 of the running network isolated1.').waitFor();
    expect(await next.isDisabled()).toBe(true);
    await f.shot('08-wizard-overlap');
    await network.fill('203.0.113.0/26');
    await wizard.getByText('Overlaps the host route 203.0.113.0/24 on eth0.').waitFor();
    expect(await next.isDisabled()).toBe(true);
    // And the other checks: syntax, range order, gateway inside the range.
    await network.fill('10.9.8.0/33');
    await wizard.getByText('Not a network in CIDR form, such as 192.168.100.0/24.').waitFor();
    await network.fill('10.9.8.0/24');
    await wizard.getByLabel('DHCP range start').fill('10.9.8.200');
    await wizard.getByLabel('DHCP range end').fill('10.9.8.100');
    await wizard.getByText('The range ends before it starts.').waitFor();
    await wizard.getByLabel('DHCP range end').fill('10.9.9.10');
    await wizard.getByText('The address is outside 10.9.8.0/24.').waitFor();
    await wizard.getByLabel('DHCP range start').fill('10.9.8.1');
    await wizard.getByLabel('DHCP range end').fill('10.9.8.100');
    await wizard.getByText('The gateway is inside the DHCP range.').waitFor();
    expect(await next.isDisabled()).toBe(true);
    await wizard.getByRole('button', { name: 'Back' }).click();
    await wizard.getByLabel('Network name').fill('nat1');
    await wizard.getByText("Name 'nat1' is already in use by another network.").waitFor();
    await wizard.getByRole('button', { name: 'Cancel' }).click();

    // A host route the wizard could not know about: the daemon refuses the start with libvirt's
    // message, and the wizard removes the definition again.
    await page.getByRole('button', { name: 'Create network' }).click();
    await wizard.getByLabel('Network name').fill('late');
    await next.click();
    await network.fill('10.88.0.0/24');
    execFileSync('ip', ['-n', f.ns, 'route', 'add', '10.88.0.0/24', 'dev', 'eth0']);
    await next.click();
    await next.click();
    await wizard.getByRole('radio', { name: 'Isolated', exact: true }).check();
    await next.click();
    await wizard.getByRole('button', { name: 'Create' }).click();
    const failure = wizard.getByTestId('wizard-error');
    await failure.getByText('internal error: Network is already in use by interface eth0').waitFor();
    await failure.getByText('Nothing was left behind: the definition was removed again.').waitFor();
    await f.shot('09-wizard-daemon-refusal');
    const names = (await api<{ name: string }[]>(f, 'GET', '/api/networks')).map((n) => n.name);
    expect(names.sort()).toEqual(['isolated1', 'nat1']);
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    execFileSync('ip', ['-n', f.ns, 'route', 'del', '10.88.0.0/24', 'dev', 'eth0']);

    // Two networks may share a subnet while only one runs: a warning, not a refusal; starting the second
    // one then fails with libvirt's message, shown as a toast.
    await api(f, 'POST', '/api/networks', { xml: "<network><name>twin</name><ip address='10.77.0.1' prefix='24'/></network>" });
    await page.getByTestId('network-row-twin').waitFor();
    await page.getByRole('button', { name: 'Create network' }).click();
    await wizard.getByLabel('Network name').fill('twin2');
    await next.click();
    await network.fill('10.77.0.0/24');
    await wizard.getByText('Overlaps 10.77.0.0/24 of the network twin: only one of the two can run at a time.').waitFor();
    expect(await next.isDisabled()).toBe(false);
    await next.click();
    await next.click();
    await wizard.getByRole('radio', { name: 'Isolated', exact: true }).check();
    await next.click();
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    await page.getByTestId('network-row-twin2').getByTestId('state').getByText('Active').waitFor();
    await page.getByRole('button', { name: 'Start twin' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Network twin failed to start' });
    await toast.getByText(/^internal error: Network is already in use by interface virbr\d+$/).waitFor();
    await f.shot('10-start-refused');
  });
});
