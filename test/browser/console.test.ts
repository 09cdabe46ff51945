/**
 * The web console in Debian's Chromium against a real virtnetd whose
 * networks live in a test namespace: log in with the token, create an
 * isolated and a NAT network with the wizard and see them start, refuse an
 * overlapping subnet, add a DHCP reservation live, stop and delete a
 * network, switch to Spanish. Each page is saved as a screenshot in
 * test-results/browser/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, canRunBrowserTests, dismissToasts, login, startConsole, unlabelledControls, type ConsoleFixture } from './harness.js';

/** Follow a link of the masthead's navigation. */
const nav = (f: ConsoleFixture, name: string): Promise<void> =>
  f.page
    .getByRole('navigation', { name: /^(Sections|Secciones)$/ })
    .getByRole('link', { name, exact: true })
    .click();

// Steps build on each other (one daemon, one browser); a loaded machine gets time.
describe.skipIf(!canRunBrowserTests())('the web console', { timeout: 90_000 }, () => {
  let f: ConsoleFixture;

  beforeAll(async () => {
    f = await startConsole();
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  // A failed step leaves a picture of the page behind.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await f?.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
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
    expect(await wizard.locator('#wizard-commands').innerText()).toContain(
      'virtnet net-define isolated1.xml\nvirtnet net-start isolated1\nvirtnet net-autostart isolated1',
    );
    // What starting it changes on the host: the daemon's dry run, which changed nothing yet.
    const changes = wizard.getByRole('region', { name: 'What changes on the host' });
    await changes.getByText('nftables batch (nft -c: ok)').waitFor();
    expect(await changes.getByTestId('host-changes-links').innerText()).toMatch(/^ip link add name virbr\d+ address 52:54:00:/);
    expect(await changes.getByTestId('host-changes-processes').innerText()).toMatch(/^dnsmasq --conf-file=\S+\/isolated1\.conf$/);
    expect(await api<unknown[]>(f, 'GET', '/api/networks')).toEqual([]);
    await f.shot('06-wizard-summary');
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    const row = page.getByTestId('network-row-isolated1');
    await row.getByTestId('state').getByText('Active').waitFor();
    expect(await row.getByTestId('forward').innerText()).toBe('Isolated');

    // NAT: the next free /24 is suggested, and the forward device comes from the host's interfaces.
    await dismissToasts(f);
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
    await expect.poll(() => nat.innerText(), { timeout: 10_000 }).toContain('fd00:beef:10:6::/64');
    await f.shot('07-networks-two');
  });

  it('refuses an overlapping subnet before submit, and shows the daemon refusing one it could not foresee', async () => {
    const { page } = f;
    const wizard = page.getByRole('dialog', { name: 'Create virtual network' });
    const network = wizard.getByRole('textbox', { name: 'Network', exact: true });
    const next = wizard.getByRole('button', { name: 'Next' });
    await dismissToasts(f);

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
    // The summary's dry run foresees it.
    await wizard
      .getByRole('region', { name: 'What changes on the host' })
      .getByText('Starting it would fail: internal error: Network is already in use by interface eth0')
      .waitFor();
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
    await page.getByRole('button', { name: 'Start twin', exact: true }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Network twin failed to start' });
    await toast.getByText(/^internal error: Network is already in use by interface virbr\d+$/).waitFor();
    await f.shot('10-start-refused');
  });

  it('shows every field of a network, and adds a DHCP reservation to the running network', async () => {
    const { page } = f;
    await dismissToasts(f);
    await page.getByRole('link', { name: 'nat1' }).click();
    await page.getByRole('heading', { name: 'nat1', level: 1 }).waitFor();
    expect(await page.getByTestId('overview-forward').innerText()).toBe('NAT to eth0');
    expect(await page.getByTestId('overview-bridge').innerText()).toBe('virbr1');
    expect(await page.getByTestId('overview-domain').innerText()).toBe('nat1');
    await f.shot('11-details-overview');

    await page.getByRole('tab', { name: 'DHCP' }).click();
    const v4 = page.getByTestId('dhcp-ipv4');
    const form = v4.getByRole('form', { name: 'Add an IPv4 DHCP reservation' });
    await form.getByLabel('MAC address').fill('52:54:00:aa:00:01');
    await form.getByLabel('IP address').fill('10.0.0.1');
    await form.getByText('The address is outside 192.168.101.0/24.').waitFor();
    await form.getByLabel('IP address').fill('192.168.101.10');
    await form.getByLabel('Host name (optional)').fill('web1');
    await form.getByRole('button', { name: 'Add reservation' }).click();
    await v4.getByTestId('reservations-ipv4').getByText('52:54:00:aa:00:01').waitFor();
    const host = "<host mac='52:54:00:aa:00:01' name='web1' ip='192.168.101.10'/>";
    // Live (the running dnsmasq serves it now) and saved.
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).toContain(host);
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml?inactive=true')).xml).toContain(host);
    await f.shot('12-details-dhcp');

    // IPv6: a reservation by host name, added and removed live.
    const v6 = page.getByTestId('dhcp-ipv6');
    const form6 = v6.getByRole('form', { name: 'Add an IPv6 DHCP reservation' });
    await form6.getByLabel('IP address').fill('fd00:beef:10:6::10');
    await form6.getByRole('button', { name: 'Add reservation' }).click();
    await form6.getByText('Give the client ID or the host name.').waitFor();
    await form6.getByLabel('Host name (optional)').fill('v6host');
    await form6.getByRole('button', { name: 'Add reservation' }).click();
    await v6.getByTestId('reservations-ipv6').getByText('v6host').waitFor();
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).toContain("<host name='v6host' ip='fd00:beef:10:6::10'/>");
    await v6.getByRole('button', { name: 'Remove the reservation of v6host' }).click();
    await v6.getByText('No reservation.').waitFor();
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).not.toContain('v6host');
  });

  it('adds a port forward to the running NAT network, checks the form first, and removes it', async () => {
    const { page } = f;
    await dismissToasts(f);
    await page.goto(`${f.url}#/networks/nat1/forwards`);
    await page.getByRole('tab', { name: 'Port forwards', selected: true }).waitFor();
    await page.getByText('No port forward.').waitFor();
    const form = page.getByRole('form', { name: 'Add a port forward' });
    await form.getByLabel('Host port').fill('70000');
    await form.getByLabel("Guest's address or name").fill('10.9.9.9');
    await form.getByRole('button', { name: 'Add forward' }).click();
    await form.getByText('A port or a range, such as 2222 or 8000-8010, within 1-65535.').waitFor();
    await form.getByLabel('Host port').fill('2222');
    await form.getByRole('button', { name: 'Add forward' }).click();
    // The daemon's refusal, under the form.
    await page.getByText(/unsupported configuration: port forward tcp \*:2222 of network 'nat1' cannot go to 10\.9\.9\.9, which /).waitFor();
    await form.getByLabel("Guest's address or name").fill('192.168.101.10');
    await form.getByLabel('Guest port (optional; default the same)').fill('22');
    await form.getByRole('button', { name: 'Add forward' }).click();
    const table = page.getByTestId('forwards');
    await table.getByText('192.168.101.10').first().waitFor();
    const forward = '<virtnet:forward proto="tcp" port="2222" to="192.168.101.10" toport="22"/>';
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).toContain(forward);
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml?inactive=true')).xml).toContain(forward);
    await f.shot('12b-details-forwards');
    await table.getByRole('button', { name: 'Remove the port forward tcp *:2222' }).click();
    await page.getByText('No port forward.').waitFor();
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).not.toContain('virtnet:forward');
  });

  it('attaches a vNIC to a netns guest and shows it in Guests, on the network and in the topology; a lease becomes a reservation', async () => {
    const { page } = f;
    // A netns guest with one vNIC on isolated1, running.
    await api(f, 'POST', '/api/guests', {
      xml: "<domain type='netns'><name>g1</name><devices><interface type='network'><mac address='52:54:00:01:00:01'/><source network='isolated1'/><model type='virtio'/></interface></devices></domain>",
    });
    await api(f, 'POST', '/api/guests/g1/start');
    await nav(f, 'Guests');
    const card = page.getByTestId('guest-g1');
    await card.getByTestId('nic-52:54:00:01:00:01').getByText('isolated1').waitFor();

    // Add a vNIC on nat1 with a typed MAC, live and saved.
    await card.getByRole('button', { name: 'Add vNIC' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a vNIC to g1' });
    await dialog.locator('#nic-network').selectOption('nat1');
    await dialog.getByRole('radio', { name: 'Set manually' }).check();
    await dialog.locator('#nic-mac').fill('52:54:00:01:00:01');
    await dialog.getByText('Another vNIC already has this MAC.').waitFor();
    await dialog.locator('#nic-mac').fill('52:54:00:01:00:02');
    expect(await dialog.getByLabel('The running guest (now)').isChecked()).toBe(true);
    expect(await dialog.getByLabel('The saved definition (next starts)').isChecked()).toBe(true);
    await f.shot('13-guest-add-nic');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const nic = card.getByTestId('nic-52:54:00:01:00:02');
    await nic.getByText('nat1').waitFor();
    await nic.getByText(/^vnet\d+$/).waitFor();
    const vnet = (await nic.getByText(/^vnet\d+$/).innerText()).trim();
    // In the kernel: the host end is a port of nat1's bridge.
    expect(execFileSync('ip', ['-n', f.ns, '-o', 'link', 'show', 'dev', vnet], { encoding: 'utf8' })).toContain('master virbr1');

    // A DHCP client in the guest gets a lease: it appears live on the network's DHCP tab, and becomes a reservation.
    const lease = await api<{ exitCode: number; stderr: string }>(f, 'POST', '/api/guests/g1/exec', {
      argv: ['busybox', 'udhcpc', '-i', 'eth1', '-s', '/bin/true', '-q', '-n', '-f', '-t', '10', '-T', '1'],
    });
    expect(lease.exitCode, lease.stderr).toBe(0);
    await card
      .getByTestId('nic-52:54:00:01:00:02')
      .getByText(/^192\.168\.101\.\d+\/24$/)
      .waitFor();
    await f.shot('14-guests');

    await nav(f, 'Networks');
    await expect.poll(() => page.getByTestId('network-row-nat1').getByTestId('guests').innerText(), { timeout: 10_000 }).toBe('1');
    await page.getByRole('link', { name: 'nat1' }).click();
    await page.getByRole('tab', { name: 'Guests' }).click();
    await page.getByTestId('network-guests').getByText('52:54:00:01:00:02').waitFor();
    await page.getByRole('tab', { name: 'DHCP' }).click();
    const leases = page.getByTestId('leases');
    const leased = leases.getByRole('row').filter({ hasText: '52:54:00:01:00:02' });
    const address = /192\.168\.101\.\d+/.exec(await leased.innerText())?.[0] ?? '';
    expect(address).not.toBe('');
    await leased.getByRole('button', { name: `Reserve ${address} for this client` }).click();
    await leased
      .getByRole('button', { name: `Reserve ${address} for this client` })
      .getByText('Reserved')
      .waitFor();
    await page.getByTestId('reservations-ipv4').getByText('52:54:00:01:00:02').waitFor();
    expect((await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml).toContain(`<host mac='52:54:00:01:00:02' ip='${address}'/>`);
    await f.shot('15-details-leases');

    // The topology: uplink → network → vNIC → guest.
    await nav(f, 'Topology');
    const links = page.getByTestId('topology-links');
    await links.getByText(`${vnet} → g1`).waitFor();
    await links.getByText(`nat1 → ${vnet}`).waitFor();
    await links.getByText('eth0 → nat1 (nat)').waitFor();
    await page.getByTestId('topology').getByText('g1', { exact: true }).waitFor();
    await f.shot('16-topology');
  });

  it('edits the XML with errors shown inline, and says what applies at once and what at the next start', async () => {
    const { page } = f;
    await dismissToasts(f);
    await nav(f, 'Networks');
    await page.getByRole('link', { name: 'nat1' }).click();
    await page.getByRole('tab', { name: 'XML' }).click();
    await page.getByTestId('network-xml').getByText('<name>nat1</name>').waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByLabel('Network XML');
    const original = await editor.inputValue();
    // Broken XML: the browser's parser says so at once.
    await editor.fill(original.replace('</network>', ''));
    await page.getByTestId('xml-error').waitFor();
    // Well-formed but refused by the daemon's own checks: its message, inline.
    await editor.fill(original.replace('</bridge>', '</bridge>').replace(/<bridge ([^>]*)\/>/, "<bridge $1/>\n  <mtu size='abc'/>"));
    await page.getByTestId('xml-error').getByText("XML error: Invalid mtu size 'abc' in network 'nat1'").waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    // A reservation (live) and an MTU (next start).
    const edited = original
      .replace(/<bridge ([^>]*)\/>/, "<bridge $1/>\n  <mtu size='1400'/>")
      .replace(/(<ip address='192\.168\.101\.1'[^>]*>\s*<dhcp>)/, "$1\n      <host mac='52:54:00:bb:00:01' name='db1' ip='192.168.101.20'/>");
    expect(edited).not.toBe(original);
    await editor.fill(edited);
    await page.getByText('virtnetd accepts this definition.').waitFor();
    await page.getByTestId('xml-live-changes').getByText('Added: DHCP reservation (52:54:00:bb:00:01)').waitFor();
    await page.getByTestId('xml-later-changes').getByText('Added: MTU').waitFor();
    await f.shot('17-xml-edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('network-xml').waitFor();
    const live = (await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml')).xml;
    const saved = (await api<{ xml: string }>(f, 'GET', '/api/networks/nat1/xml?inactive=true')).xml;
    expect(live).toContain("<host mac='52:54:00:bb:00:01' name='db1' ip='192.168.101.20'/>");
    expect(live).not.toContain('<mtu');
    expect(saved).toContain("<mtu size='1400'/>");
    expect(saved).toContain("<host mac='52:54:00:bb:00:01' name='db1' ip='192.168.101.20'/>");
  });

  it('names every control on every page, and works from the keyboard', async () => {
    const { page } = f;
    await dismissToasts(f);
    const audit = async (where: string): Promise<void> => {
      expect([where, await unlabelledControls(page)]).toEqual([where, []]);
    };
    await nav(f, 'Networks');
    await page.getByTestId('networks-table').waitFor();
    await audit('networks');
    for (const [tab, path] of [
      ['Overview', 'overview'],
      ['DHCP', 'dhcp'],
      ['DNS', 'dns'],
      ['Port forwards', 'forwards'],
      ['Guests', 'guests'],
      ['XML', 'xml'],
    ] as const) {
      await page.goto(`${f.url}#/networks/nat1/${path}`);
      await page.getByRole('tab', { name: tab, selected: true }).waitFor();
      await page.waitForLoadState('networkidle');
      await audit(`details ${tab}`);
      if (tab === 'DNS' || tab === 'Guests') await f.shot(`17-details-${tab.toLowerCase()}`);
    }
    await nav(f, 'Guests');
    await page.getByTestId('guest-g1').waitFor();
    await audit('guests');
    await page.getByTestId('guest-g1').getByRole('button', { name: 'Add vNIC' }).click();
    await page.getByRole('dialog', { name: 'Add a vNIC to g1' }).waitFor();
    await page.getByRole('radio', { name: 'Set manually' }).check();
    await audit('add vNIC');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add a vNIC to g1' }).waitFor({ state: 'detached' });
    await nav(f, 'Topology');
    await page.getByTestId('topology-links').waitFor();
    await audit('topology');

    // The keyboard alone: skip link, the wizard opened with Enter, walked with Tab and Enter, left with Escape.
    await nav(f, 'Networks');
    await page.reload();
    await page.getByTestId('networks-table').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('vn-main');
    await page.getByRole('button', { name: 'Create network' }).focus();
    await page.keyboard.press('Enter');
    const wizard = page.getByRole('dialog', { name: 'Create virtual network' });
    await wizard.waitFor();
    await audit('wizard name');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('network-name');
    // The suggested name is selected, so typing replaces it (as in virt-manager).
    await page.keyboard.type('kbdnet');
    expect(await wizard.getByLabel('Network name').inputValue()).toBe('kbdnet');
    await wizard.getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await wizard.getByRole('heading', { name: 'IPv4 configuration' }).waitFor();
    await audit('wizard IPv4');
    for (const step of ['IPv6 configuration', 'Forwarding and DNS', 'Summary']) {
      // After each step change the wizard moves the focus to the step's content (a moment later): wait for it.
      await page.waitForFunction(() => document.activeElement?.classList.contains('pf-v6-c-wizard__main') === true);
      await wizard.getByRole('button', { name: 'Next' }).focus();
      await page.keyboard.press('Enter');
      await wizard.getByRole('heading', { name: step, level: 2 }).waitFor();
      await audit(`wizard ${step}`);
    }
    await page.keyboard.press('Escape');
    await wizard.waitFor({ state: 'detached' });
    // A row's menu: Enter opens it, Escape closes it.
    await page.getByRole('button', { name: 'More actions for nat1' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Details' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menuitem', { name: 'Details' }).waitFor({ state: 'detached' });
  });

  it('stops and deletes networks, naming the guests attached first', async () => {
    const { page } = f;
    await dismissToasts(f);
    await nav(f, 'Networks');
    // isolated1 carries g1's first vNIC: stopping it asks first, naming g1.
    await page.getByRole('button', { name: 'Stop isolated1' }).click();
    const stop = page.getByRole('dialog', { name: 'Stop network isolated1?' });
    expect(await stop.getByTestId('stop-guests').innerText()).toBe('g1');
    await f.shot('18-stop-confirm');
    await stop.getByRole('button', { name: 'Stop' }).click();
    const row = page.getByTestId('network-row-isolated1');
    await row.getByTestId('state').getByText('Inactive').waitFor();

    // Delete asks, naming the guests; then the row goes, with no reload.
    await row.getByRole('button', { name: 'More actions for isolated1' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const del = page.getByRole('dialog', { name: 'Delete network isolated1?' });
    expect(await del.getByTestId('delete-guests').innerText()).toBe('g1');
    await f.shot('19-delete-confirm');
    await del.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });

    // Remove g1's vNIC on nat1: gone from the page, from the kernel and from the saved definition.
    await nav(f, 'Guests');
    const nic = page.getByTestId('guest-g1').getByTestId('nic-52:54:00:01:00:02');
    const vnet = (await nic.getByText(/^vnet\d+$/).innerText()).trim();
    await nic.getByRole('button', { name: 'Remove the vNIC 52:54:00:01:00:02' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove vNIC 52:54:00:01:00:02 from g1?' });
    await remove.getByRole('button', { name: 'Remove' }).click();
    await nic.waitFor({ state: 'detached' });
    expect(spawnSync('ip', ['-n', f.ns, 'link', 'show', 'dev', vnet]).status).not.toBe(0);
    expect((await api<{ xml: string }>(f, 'GET', '/api/guests/g1/xml?inactive=true')).xml).not.toContain('52:54:00:01:00:02');
    await nav(f, 'Networks');

    // A change made elsewhere shows up live too: a network stopped through the API.
    await api(f, 'POST', '/api/networks/twin2/destroy');
    await page.getByTestId('network-row-twin2').getByTestId('state').getByText('Inactive').waitFor();
    await f.shot('20-networks-after-delete');
  });

  it('switches to Spanish, and every page follows', async () => {
    const { page } = f;
    await dismissToasts(f);
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Redes virtuales' }).waitFor();
    await page.getByRole('columnheader', { name: 'Reenvío' }).waitFor();
    expect(await page.getByTestId('network-row-nat1').getByTestId('forward').innerText()).toBe('NAT hacia eth0');
    expect(await page.getByTestId('network-counts').innerText()).toMatch(/^\d+ redes, \d+ activas?$/);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await f.shot('21-es-networks');
    await page.getByRole('button', { name: 'Crear red' }).click();
    const wizard = page.getByRole('dialog', { name: 'Crear una red virtual' });
    await wizard.getByRole('button', { name: 'Siguiente' }).waitFor();
    await f.shot('22-es-wizard');
    await wizard.getByRole('button', { name: 'Cancelar' }).click();
    await nav(f, 'Invitados');
    await page.getByRole('heading', { name: 'Invitados', level: 1 }).waitFor();
    await f.shot('23-es-guests');
    await nav(f, 'Topología');
    await page.getByRole('heading', { name: 'Topología', level: 1 }).waitFor();
    // The choice is kept across a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Topología', level: 1 }).waitFor();
    await f.shot('24-es-topology');
    // Logging out ends the session: the login page again (in Spanish), and the old cookie opens nothing.
    await page.getByRole('button', { name: 'Salir' }).click();
    await page.getByRole('heading', { name: 'Entrar en virtnet' }).waitFor();
    expect(await page.evaluate(() => fetch('/api/networks').then((r) => r.status))).toBe(401);
    await f.shot('25-es-logged-out');
  });

  it('logged no error in the browser console along the way, but for the refusals the steps asked for', () => {
    // Chromium logs each failed request as a console error: these are exactly the wrong token, the dry
    // run, the two starts and the port forward the daemon refused on purpose above and the request after logout; nothing else failed, and
    // no script error happened.
    expect(f.failed.join('\n')).toBe(
      [
        'POST /api/console/login 401',
        'POST /api/dry-run 409',
        'POST /api/networks/late/start 409',
        'POST /api/networks/twin/start 409',
        'POST /api/networks/nat1/forwards 400',
        'GET /api/networks 401',
      ].join('\n'),
    );
    expect(f.errors.filter((e) => !e.startsWith('console: Failed to load resource: the server responded with a status of'))).toEqual([]);
    expect(f.errors.length).toBe(f.failed.length);
  });
});
