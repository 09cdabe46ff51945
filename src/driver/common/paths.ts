/**
 * Where virtnet keeps its files. Defaults mirror libvirt's privileged
 * layout under virtnet's own names; `root` moves all three trees under one
 * directory (tests, the sandbox): ROOT/etc/virtnet, ROOT/run/virtnet and
 * ROOT/var/lib/virtnet.
 */
import { join } from 'node:path';

export interface VirtnetPaths {
  /** CONFIG: /etc/virtnet */
  configDir: string;
  /** RUN: /run/virtnet */
  runDir: string;
  /** STATE: /var/lib/virtnet */
  stateDir: string;
  /** CONFIG/networks: persistent network definitions NAME.xml */
  networkConfigDir: string;
  /** CONFIG/networks/autostart: symlinks NAME.xml -> ../NAME.xml's absolute path */
  networkAutostartDir: string;
  /** RUN/networks: status files of running networks */
  networkStatusDir: string;
  /** STATE/dnsmasq: dnsmasq conf, hostsfile, addnhosts and leases */
  dnsmasqDir: string;
  /** CONFIG/guests: persistent guest definitions NAME.xml */
  guestConfigDir: string;
  /** RUN/guests: status files of running guests (NAME.xml) and their host records (NAME.json) */
  guestStatusDir: string;
  /** RUN/jobs: the private directories of the command helpers (src/host/job-server.ts) */
  jobDir: string;
}

export function virtnetPaths(root?: string): VirtnetPaths {
  const base = root ?? '/';
  const configDir = join(base, 'etc/virtnet');
  const runDir = join(base, 'run/virtnet');
  const stateDir = join(base, 'var/lib/virtnet');
  return {
    configDir,
    runDir,
    stateDir,
    networkConfigDir: join(configDir, 'networks'),
    networkAutostartDir: join(configDir, 'networks/autostart'),
    networkStatusDir: join(runDir, 'networks'),
    dnsmasqDir: join(stateDir, 'dnsmasq'),
    guestConfigDir: join(configDir, 'guests'),
    guestStatusDir: join(runDir, 'guests'),
    jobDir: join(runDir, 'jobs'),
  };
}
