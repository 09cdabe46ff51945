/**
 * Issue 10, point 1 (ip and nft side): no word of an `ip -batch` line can
 * split it: every line is checked where it becomes text, whichever code
 * built it (link operations, link deletion, feature probes), so a name
 * holding a space, a newline, a '#' or a quote never reaches ip. Interface
 * names that nftables would read as a wildcard or a set reference are
 * refused when the network is defined.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { deleteLinksTogether } from '../../src/host/link-delete.js';
import { IpBatchRunner } from '../../src/host/ip-batch.js';
import type { CommandResult, CommandRunner, CommandSpec } from '../../src/host/runner.js';
import { VirError } from '../../src/util/errors.js';
import { readIpBatch } from '../support/ip-batch-reader.js';
import { thrownBy } from './support/vir-error.js';

/** A runner that records what it would have run and succeeds. */
function recorder(): { runner: CommandRunner; inputs: string[] } {
  const inputs: string[] = [];
  return {
    inputs,
    runner: {
      async run(spec: CommandSpec): Promise<CommandResult> {
        inputs.push(spec.input ?? '');
        return { argv: spec.argv, exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 0 };
      },
    },
  };
}

describe('ip -batch lines', () => {
  it('are never written with a word that ip would split, cut or join', async () => {
    for (const name of ['br0 up', 'br0\nlink del dev eth0', 'br0#x', "br'0", 'br0\\']) {
      const { runner, inputs } = recorder();
      const err = await deleteLinksTogether(new IpBatchRunner(runner), ['vnbr1', name], null, 1 << 30).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VirError);
      expect((err as VirError).message).toMatch(/^internal error: invalid token '.*' in an ip batch line$/s);
      expect(inputs).toEqual([]);
    }
  });

  it('read back as exactly their words', async () => {
    const { runner, inputs } = recorder();
    await deleteLinksTogether(new IpBatchRunner(runner), ['vnbr1', 'br-lan.1', 'é$%'], null, 7);
    expect(readIpBatch(inputs[0]!)).toEqual([
      ['link', 'set', 'dev', 'vnbr1', 'group', '7'],
      ['link', 'set', 'dev', 'br-lan.1', 'group', '7'],
      ['link', 'set', 'dev', 'é$%', 'group', '7'],
      ['link', 'del', 'group', '7'],
    ]);
  });
});

describe('interface names for nftables', () => {
  it("refuses forward devices nft would read as a wildcard ('eth*') or a set ('@x')", () => {
    for (const dev of ['eth*', '@x', 'eth 0', 'a,b']) {
      const xml = `<network><name>lab</name><forward mode='nat' dev='${dev}'/><bridge name='vnbr7'/><ip address='10.9.8.1' prefix='24'/></network>`;
      expect(thrownBy(() => parseNetworkXml(xml)).message).toBe(`XML error: Invalid forward device name '${dev}' in network lab`);
    }
  });
});
