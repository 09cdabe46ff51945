/**
 * The built CLI against a real virtnetd beyond the golden flows: the
 * read-only socket refusing changes (-r), TCP with and without the token,
 * the interactive shell as a process, net-event seeing another process's
 * changes, bash completion through contrib/bash-completion/virtnet, a
 * daemon that is not there, and the bundle keeping libxml2 and the daemon's
 * libraries off the start-up path.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_XML_DIR } from '../unit/cli-golden-harness.js';
import { HINTS } from '../../src/cli/hints.js';
import { cliBundle, cliBundleText, removeCliBundle, virtnet } from './cli-harness.js';
import { type DaemonProcess, daemonSite, startServing } from './daemon-process.js';
import { pollUntil } from '../support/poll.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('the CLI bundle', () => {
  afterAll(() => removeCliBundle());

  it('imports libxml2 only dynamically, and nothing of the daemon', async () => {
    // A CommonJS bundle (scripts/bundle-cli.mjs): a static import would be a require() at load.
    const text = cliBundleText(await cliBundle());
    expect(text).not.toMatch(/require\("libxml2-wasm"\)/);
    expect(text).toMatch(/await __dynamicImport\("libxml2-wasm"\)/);
    for (const lib of ['fastify', 'pino', 'typebox', '@fastify/swagger']) {
      expect(text).not.toContain(`require("${lib}")`);
      expect(text).not.toContain(`from "${lib}"`);
    }
  });

  it("says so when no daemon answers, in virsh's words and then how to start one (not with -q)", async () => {
    const env = { VIRTNET_DEFAULT_URI: 'unix:///nonexistent/virtnetd.sock' };
    const virsh =
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/nonexistent/virtnetd.sock': No such file or directory\n";
    expect(await virtnet(['net-list'], { env })).toEqual({ stdout: '', stderr: `${virsh}${HINTS.daemonNotRunning}\n`, rc: 1 });
    expect(await virtnet(['-q', 'net-list'], { env })).toEqual({ stdout: '', stderr: virsh, rc: 1 });
  });
});

describe.skipIf(!root)('the CLI and a running virtnetd', () => {
  const site = daemonSite('cd');
  let socket: string;
  let port: number;
  let token: string;
  let env: Record<string, string>;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    // debug: the daemon logs each event stream it opens, which net-event's test waits for
    const d = await startServing(['--root', site.dir, '--netns', site.ns, '--listen', '127.0.0.1:0', '--log-level', 'debug', '--log-format', 'json']);
    daemon = d;
    socket = d.socket;
    port = d.port ?? 0;
    token = d.token ?? '';
    env = { VIRTNET_DEFAULT_URI: `unix://${socket}` };
  }, 60_000);

  it('-r reads but may not change anything', async () => {
    expect((await virtnet(['net-define', 'isolated.xml'], { cwd: GOLDEN_XML_DIR, env })).rc).toBe(0);
    const list = await virtnet(['-r', 'net-list', '--all', '--name'], { env });
    expect(list).toEqual({ stdout: 'isolated\n\n', stderr: '', rc: 0 });
    const start = await virtnet(['-r', 'net-start', 'isolated'], { env });
    expect(start.rc).toBe(1);
    expect(start.stderr).toBe('error: Failed to start network isolated\nerror: operation forbidden: read only access prevents virNetworkCreate\n');
    expect((await virtnet(['-q', 'net-undefine', 'isolated'], { env })).rc).toBe(0);
  });

  it('as a user other than root: the read-write socket is refused with a hint for -r, which works', async () => {
    chmodSync(site.dir, 0o755);
    const rw = await virtnet(['net-list', '--all', '--name'], { env, uid: 65534 });
    expect(rw).toEqual({
      stdout: '',
      stderr: `error: failed to connect to the hypervisor\nerror: Failed to connect socket to '${socket}': Permission denied\n${HINTS.readwriteNeedsRoot}\n`,
      rc: 1,
    });
    expect(await virtnet(['-r', 'net-list', '--all', '--name'], { env, uid: 65534 })).toMatchObject({ stderr: '', rc: 0 });
  });

  it('under a Spanish locale, says in Spanish the errors users meet most', async () => {
    const es = { ...env, LC_ALL: '', LANG: 'es_ES.UTF-8' };
    const say = async (args: string[], o: { env?: Record<string, string>; uid?: number } = {}): Promise<string> =>
      (await virtnet(args, { cwd: site.dir, env: o.env ?? es, ...(o.uid !== undefined ? { uid: o.uid } : {}) })).stderr;
    const noDaemon = await say(['net-list'], { env: { ...es, VIRTNET_DEFAULT_URI: 'unix:///nonexistent/virtnetd.sock' } });
    expect(noDaemon.split('\n').slice(0, 2)).toEqual([
      'error: no se pudo conectar con el hipervisor',
      "error: no se puede conectar con el socket '/nonexistent/virtnetd.sock': no existe el archivo o el directorio",
    ]);
    expect(await say(['net-info', 'nope'])).toBe("error: no se pudo obtener la red 'nope'\nerror: no hay ninguna red llamada 'nope'\n");
    writeFileSync(join(site.dir, 'bad.xml'), "<network>\n  <name>bad</name>\n  <ip address='10.9.9.1'>\n</network>\n");
    expect(await say(['net-define', 'bad.xml'])).toBe(
      'error: no se pudo definir la red a partir de bad.xml\nerror: (network_definition):4: <ip> (línea 3) se cierra con </network>\n</network>\n----------^\n',
    );
    expect(await say(['net-define', 'nothere.xml'])).toBe(
      "error: no se puede abrir el archivo 'nothere.xml': no existe el archivo o el directorio\n",
    );
    expect(await say(['net-list', '--bogus'])).toBe("error: la orden 'net-list' no admite la opción --bogus\n");
    expect((await say(['net-list'], { uid: 65534 })).split('\n').slice(0, 2)).toEqual([
      'error: no se pudo conectar con el hipervisor',
      `error: no se puede conectar con el socket '${socket}': permiso denegado`,
    ]);
    expect((await virtnet(['net-define', 'isolated.xml'], { cwd: GOLDEN_XML_DIR, env })).rc).toBe(0);
    expect(await say(['-r', 'net-start', 'isolated'])).toBe(
      'error: no se pudo iniciar la red isolated\nerror: el acceso de solo lectura no permite virNetworkCreate\n',
    );
    expect(await say(['net-dhcp-leases', 'isolated', '--mac', 'zz'])).toBe(
      'error: no se pudieron obtener las concesiones de isolated\nerror: dirección MAC no válida: zz\n',
    );
    expect((await virtnet(['-q', 'net-undefine', 'isolated'], { env })).rc).toBe(0);
  });

  it('over TCP, works with the token and is refused without it', async () => {
    const uri = `http://127.0.0.1:${port}`;
    const ok = await virtnet(['-c', uri, 'net-list', '--all'], { env: { VIRTNET_TOKEN: token } });
    expect(ok.rc).toBe(0);
    expect(ok.stdout.startsWith(' Name   State   Autostart   Persistent\n')).toBe(true);
    const refused = await virtnet(['-c', uri, 'net-list', '--all']);
    expect(refused.rc).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')[0]).toBe('error: failed to connect to the hypervisor');
  });

  it('runs the interactive shell over a pipe', async () => {
    const r = await virtnet([], {
      cwd: GOLDEN_XML_DIR,
      env,
      stdin: 'net-define isolated.xml\nnet-start isolated; net-list --name\nnet-destroy isolated\nnet-undefine isolated\nquit\n',
    });
    expect(r.stdout).toBe(
      "Welcome to virtnet, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n" +
        'virtnet # net-define isolated.xml\nNetwork isolated defined from isolated.xml\n\n' +
        'virtnet # net-start isolated; net-list --name\nNetwork isolated started\n\nisolated\n\n' +
        'virtnet # net-destroy isolated\nNetwork isolated destroyed\n\n' +
        'virtnet # net-undefine isolated\nNetwork isolated has been undefined\n\n' +
        'virtnet # quit\n\n',
    );
    expect(r.stderr).toBe('');
    expect(r.rc).toBe(0);
  });

  it('net-event prints what another process does', async () => {
    const streams = (): number => daemon.stderr().split('"msg":"event stream opened"').length - 1;
    const before = streams();
    const watching = virtnet(['net-event', '--event', 'lifecycle', '--loop', '--timeout', '4'], { env });
    await pollUntil(() => streams() > before, { ms: 4000, everyMs: 10, what: "net-event's event stream" });
    const chain = await virtnet(['net-define isolated.xml; net-start isolated; net-destroy isolated; net-undefine isolated'], {
      cwd: GOLDEN_XML_DIR,
      env,
    });
    expect(chain.rc).toBe(0);
    const r = await watching;
    expect(r.stdout).toBe(
      "event 'lifecycle' for network isolated: Defined\n" +
        "event 'lifecycle' for network isolated: Started\n" +
        "event 'lifecycle' for network isolated: Stopped\n" +
        "event 'lifecycle' for network isolated: Undefined\n" +
        'event loop timed out\nevents received: 4\n\n',
    );
    expect(r.rc).toBe(0);
  }, 30_000);

  it('bash completion offers commands, options and the daemon’s networks', async () => {
    await virtnet(['-q', 'net-define routed.xml; net-define nat.xml; net-start nat'], { cwd: GOLDEN_XML_DIR, env });
    const bundle = await cliBundle();
    const script = [
      `virtnet() { "${process.execPath}" "${bundle}" "$@"; }`,
      `source "${join(repo, 'contrib/bash-completion/virtnet')}"`,
      't() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _virtnet; echo "${COMPREPLY[*]}"; }',
      't virtnet net-st',
      't virtnet net-start ""',
      't virtnet net-destroy ""',
      't virtnet net-dumpxml nat --i',
      't virtnet -q net-update nat add ip-dhcp-h',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.stdout).toBe('net-start\nrouted\nnat\n--inactive\nip-dhcp-host\n');
    await virtnet(['-q', 'net-destroy nat; net-undefine nat; net-undefine routed'], { env });
  }, 30_000);
});
