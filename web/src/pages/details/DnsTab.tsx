/**
 * DNS of a network: host records and TXT records, added and removed with
 * net-update (live on a running network); upstream forwarders, which
 * net-update cannot touch, edited in the saved definition (the model sent
 * back to the daemon) and effective at the next start; SRV records listed.
 * On a running network, records and forwarders not live yet (or live but
 * not saved) are marked. A network with no DNS server (bridge, macvtap,
 * hostdev, or DNS disabled) takes no record: the tab says so with the
 * daemon's own refusal, and offers no form.
 */
import { Alert, Content, Stack, StackItem } from '@patternfly/react-core';
import { TitledCard } from '../../components/TitledCard.js';
import { useTranslation } from 'react-i18next';
import type { DnsForwarder, NetworkDef } from '../../../../src/conf/network/types.js';
import { canonical } from '../../../../src/conf/network/diff.js';
import { checkDnsRecordsServed } from '../../../../src/conf/network/validate-served.js';
import { parseIp } from '../../../../src/util/ip.js';
import { transport, basedOn } from '../../api/client.js';
import { CONSOLE_ROUTES } from '../../../../src/contract/console-api.js';
import { errorMessage } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import type { NetworkRow } from '../../state/store.js';
import { element, escapeText } from '../../model/xml.js';
import { InlineForm } from '../../components/InlineForm.js';
import { DataTable } from '../../components/DataTable.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import { PendingLabel, withPending, type Pending } from '../../components/PendingLabel.js';
import { LiveNote } from './DhcpTab.js';
import { netUpdate } from './update.js';
import { useNetworkChange } from './useNetworkChange.js';

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Why the network takes no DNS record, in the daemon's own words (its rule, validate-served.ts), or undefined when it does. */
export function dnsRefusal(def: NetworkDef): string | undefined {
  try {
    checkDnsRecordsServed({ ...def, dns: { ...def.dns, hosts: [{ ip: '192.0.2.1', hostnames: ['x'] }] } });
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

/** The saved definition with its forwarders changed, defined as the model (POST /api/console/define-model). */
function defineForwarders(saved: NetworkDef, forwarders: DnsForwarder[]) {
  return async (ifMatch: string | undefined) => {
    const def: NetworkDef = { ...saved, dns: { ...saved.dns, forwarders } };
    await transport.call('POST', CONSOLE_ROUTES.defineModel, { def }, basedOn(ifMatch));
  };
}

export function DnsTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const { info, model } = row;
  const dns = model.dns;
  const run = useNetworkChange(row);
  const label = t('dns.changeLabel', { name: info.name });
  // The saved definition: what forwarders are edited in (a transient network has none).
  const saved = info.persistent ? (row.config ?? row.def) : undefined;
  const refusal = dnsRefusal(row.def);

  const update = (command: 'add-last' | 'delete', section: 'dns-host' | 'dns-txt', xml: string, rethrow = false): Promise<void> =>
    run(netUpdate(info, command, section, -1, xml), label, t('dns.changeFailed'), rethrow);

  const forwarders = async (next: (current: DnsForwarder[]) => DnsForwarder[], rethrow = false): Promise<void> => {
    if (!saved) return;
    await run(defineForwarders(saved, next(saved.dns.forwarders)), label, t('dns.changeFailed'), rethrow);
    if (info.active) notify('info', t('dns.forwardersNextStart'));
  };
  const pendingCell = (p: Pending | undefined) => (p ? <PendingLabel pending={p} /> : null);
  const savedModelDns = info.active && info.persistent ? row.configModel?.dns : undefined;
  const hosts = withPending(dns.hosts, savedModelDns?.hosts, canonical);
  const txts = withPending(dns.txts, savedModelDns?.txts, canonical);
  const fwds = withPending(dns.forwarders, savedModelDns?.forwarders, canonical);

  const ipCheck = (v: string): string | undefined => (parseIp(v) ? undefined : t('dns.badIp'));
  const namesCheck = (v: string): string | undefined =>
    v
      .split(/[\s,]+/)
      .filter(Boolean)
      .every((n) => HOSTNAME.test(n))
      ? undefined
      : t('dns.badHostname');

  const marked = (rows: { pending?: Pending }[]) => rows.some((r) => r.pending !== undefined);
  const pendingColumn = (rows: { pending?: Pending }[]) =>
    marked(rows) ? [{ label: t('pending.column'), cell: ({ pending }: { pending?: Pending }) => pendingCell(pending) }] : [];

  return (
    <Stack hasGutter>
      {refusal === undefined ? (
        <StackItem>
          <LiveNote row={row} />
        </StackItem>
      ) : (
        <StackItem>
          <Alert variant="info" isInline title={t('dns.noServer')} variantLabel={t('common.alert.info')} data-testid="dns-no-server">
            {refusal}
          </Alert>
        </StackItem>
      )}
      <StackItem>
        <TitledCard title={t('dns.hosts')}>
          <DataTable
            ariaLabel={t('dns.hosts')}
            testId="dns-hosts"
            emptyText={t('dns.noHosts')}
            rows={hosts}
            rowKey={({ item: h }) => h.ip}
            columns={[
              { label: t('dns.ip'), mono: true, cell: ({ item: h }) => h.ip },
              { label: t('dns.hostnames'), cell: ({ item: h }) => h.hostnames.join(', ') },
              ...pendingColumn(hosts),
            ]}
            action={({ item: h }) => (
              <RemoveButton
                label={t('dns.removeHostNamed', { ip: h.ip })}
                onClick={() =>
                  void update(
                    'delete',
                    'dns-host',
                    element('host', { ip: h.ip }, h.hostnames.map((n) => `<hostname>${escapeText(n)}</hostname>`).join('')),
                  )
                }
              />
            )}
          />
          {refusal === undefined && (
            <InlineForm
              ariaLabel={t('dns.addHost')}
              submitLabel={t('dns.addHost')}
              fields={[
                { id: 'dns-host-ip', label: t('dns.ip'), required: true, check: ipCheck },
                { id: 'dns-host-names', label: t('dns.hostnamesHint'), required: true, check: namesCheck },
              ]}
              onSubmit={(v) =>
                update(
                  'add-last',
                  'dns-host',
                  element(
                    'host',
                    { ip: v['dns-host-ip'] },
                    (v['dns-host-names'] ?? '')
                      .split(/[\s,]+/)
                      .filter(Boolean)
                      .map((n) => `<hostname>${escapeText(n)}</hostname>`)
                      .join(''),
                  ),
                  true,
                )
              }
            />
          )}
        </TitledCard>
      </StackItem>
      <StackItem>
        <TitledCard title={t('dns.forwarders')}>
          <Content component="p">{info.active ? t('dns.forwardersHelpActive') : t('dns.forwardersHelp')}</Content>
          <DataTable
            ariaLabel={t('dns.forwarders')}
            testId="dns-forwarders"
            emptyText={t('dns.noForwarders')}
            rows={fwds}
            rowKey={({ item: f }, i) => `${f.addr ?? ''}-${f.domain ?? ''}-${i}`}
            columns={[
              { label: t('dns.forwarderAddr'), mono: true, cell: ({ item: f }) => f.addr ?? '—' },
              { label: t('dns.forwarderDomain'), cell: ({ item: f }) => f.domain ?? t('dns.allDomains') },
              ...pendingColumn(fwds),
            ]}
            action={({ item: f, pending }) =>
              pending === 'live-only' ? null : (
                <RemoveButton
                  isDisabled={!saved}
                  label={t('dns.removeForwarderNamed', { what: f.addr ?? f.domain ?? '' })}
                  onClick={() => void forwarders((all) => all.filter((x) => !(x.addr === f.addr && x.domain === f.domain)))}
                />
              )
            }
          />
          {saved && refusal === undefined ? (
            <InlineForm
              ariaLabel={t('dns.addForwarder')}
              submitLabel={t('dns.addForwarder')}
              fields={[
                { id: 'fwd-addr', label: t('dns.forwarderAddr'), required: true, check: ipCheck },
                { id: 'fwd-domain', label: t('dns.forwarderDomainOptional'), check: namesCheck },
              ]}
              onSubmit={(v) =>
                forwarders((all) => [...all, { addr: v['fwd-addr'] ?? '', ...(v['fwd-domain'] ? { domain: v['fwd-domain'] } : {}) }], true)
              }
            />
          ) : !saved ? (
            <Content component="p">{t('dns.transientForwarders')}</Content>
          ) : null}
        </TitledCard>
      </StackItem>
      <StackItem>
        <TitledCard title={t('dns.txt')}>
          <DataTable
            ariaLabel={t('dns.txt')}
            emptyText={t('dns.noTxt')}
            rows={txts}
            rowKey={({ item: x }) => x.name}
            columns={[
              { label: t('dns.txtName'), cell: ({ item: x }) => x.name },
              { label: t('dns.txtValue'), cell: ({ item: x }) => x.value ?? '' },
              ...pendingColumn(txts),
            ]}
            action={({ item: x }) => (
              <RemoveButton
                label={t('dns.removeTxtNamed', { name: x.name })}
                onClick={() => void update('delete', 'dns-txt', element('txt', { name: x.name, value: x.value }))}
              />
            )}
          />
          {refusal === undefined && (
            <InlineForm
              ariaLabel={t('dns.addTxt')}
              submitLabel={t('dns.addTxt')}
              fields={[
                { id: 'txt-name', label: t('dns.txtName'), required: true, check: namesCheck },
                { id: 'txt-value', label: t('dns.txtValue'), required: true },
              ]}
              onSubmit={(v) => update('add-last', 'dns-txt', element('txt', { name: v['txt-name'], value: v['txt-value'] }), true)}
            />
          )}
          {dns.srvs.length > 0 && (
            <>
              <Content component="h3" className="pf-v6-u-mt-md">
                {t('dns.srv')}
              </Content>
              <DataTable
                ariaLabel={t('dns.srv')}
                rows={dns.srvs}
                rowKey={(_s, i) => i}
                columns={[
                  { label: t('dns.srvService'), cell: (s) => `_${s.service ?? ''}._${s.protocol ?? ''}${s.domain ? `.${s.domain}` : ''}` },
                  { label: t('dns.srvTarget'), cell: (s) => (s.target ? `${s.target}:${s.port ?? ''}` : '—') },
                ]}
              />
            </>
          )}
        </TitledCard>
      </StackItem>
    </Stack>
  );
}
