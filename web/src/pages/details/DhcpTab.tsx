/**
 * DHCP of a network, per <ip>: the ranges and the reservations (static
 * hosts), each added and removed with net-update — at once on a running
 * network, no restart — and the current leases with a "Reserve" action that
 * turns a lease into a reservation. On a running network, entries saved
 * but not live yet, or live but not saved, are marked as such. The forms
 * check addresses with the daemon's own rule (model/address.ts).
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Content, EmptyState, Stack, StackItem, Title } from '@patternfly/react-core';
import { TitledCard } from '../../components/TitledCard.js';
import { useTranslation } from 'react-i18next';
import type { DhcpLease } from '../../../../src/contract/network-api.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import { useConflicts } from '../../app/conflicts.js';
import { canonical } from '../../../../src/conf/network/diff.js';
import { PendingLabel, withPending, type Pending } from '../../components/PendingLabel.js';
import { useStore, type NetworkRow } from '../../state/store.js';
import type { IpEntry } from '../../model/network.js';
import { element } from '../../model/xml.js';
import { MAC_RE, addressProblem, rangeOrdered } from '../../model/address.js';
import { InlineForm } from '../../components/InlineForm.js';
import { DataTable } from '../../components/DataTable.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import { netUpdate } from './update.js';
import { useNetworkChange } from './useNetworkChange.js';

export function LiveNote({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { info } = row;
  const text = info.active ? (info.persistent ? t('dhcp.appliesLiveAndSaved') : t('dhcp.appliesLiveOnly')) : t('dhcp.appliesSaved');
  return <Alert variant="info" isInline isPlain title={text} variantLabel={t('common.alert.info')} />;
}

/** A row's marker cell: nothing, or what the running network has not taken yet. */
const pendingCell = (p: Pending | undefined) => (p ? <PendingLabel pending={p} /> : null);

function IpDhcpCard({ row, ip, saved }: { row: NetworkRow; ip: IpEntry; saved: IpEntry | undefined }) {
  const { t } = useTranslation();
  const { info } = row;
  const run = useNetworkChange(row);
  const family = ip.family === 'ipv4' ? 'IPv4' : 'IPv6';
  const addrCheck =
    (use: 'host' | 'range') =>
    (v: string): string | undefined => {
      const p = addressProblem(v, ip, use);
      return p ? t(`dhcp.addr.${p}`, { subnet: ip.cidr ?? '' }) : undefined;
    };

  const change = (
    command: 'add-last' | 'delete',
    section: 'ip-dhcp-host' | 'ip-dhcp-range',
    xml: string,
    failedTitle: string,
    rethrow = false,
  ): Promise<void> => run(netUpdate(info, command, section, ip.index, xml), t('dhcp.changeLabel', { name: info.name }), failedTitle, rethrow);
  const clientLabel = ip.family === 'ipv4' ? t('dhcp.mac') : t('dhcp.id');
  const pendingOf = (live: boolean) => (live && info.active && info.persistent ? saved : undefined);
  const ranges = withPending(ip.ranges, pendingOf(true)?.ranges, canonical);
  const hosts = withPending(ip.hosts, pendingOf(true)?.hosts, canonical);
  const marked = ranges.some((r) => r.pending) || hosts.some((h) => h.pending);

  return (
    <TitledCard
      title={
        <>
          {family} {ip.cidr ?? ip.address}
        </>
      }
      testId={`dhcp-${ip.family}`}
    >
      <Title headingLevel="h3">{t('dhcp.ranges')}</Title>
      <DataTable
        ariaLabel={t('dhcp.rangesLabel', { family })}
        emptyText={t('dhcp.noRanges')}
        rows={ranges}
        rowKey={({ item: r }) => `${r.start}-${r.end}`}
        columns={[
          { label: t('dhcp.start'), mono: true, cell: ({ item: r }) => r.start },
          { label: t('dhcp.end'), mono: true, cell: ({ item: r }) => r.end },
          ...(marked ? [{ label: t('pending.column'), cell: ({ pending }: { pending?: Pending }) => pendingCell(pending) }] : []),
        ]}
        action={({ item: r }) => (
          <RemoveButton
            label={t('dhcp.removeRangeNamed', { range: `${r.start} – ${r.end}` })}
            onClick={() => void change('delete', 'ip-dhcp-range', element('range', { start: r.start, end: r.end }), t('dhcp.removeFailed'))}
          />
        )}
      />
      <InlineForm
        ariaLabel={t('dhcp.addRangeLabel', { family })}
        submitLabel={t('dhcp.addRange')}
        fields={[
          { id: `range-start-${ip.index}`, label: t('dhcp.start'), required: true, check: addrCheck('range') },
          {
            id: `range-end-${ip.index}`,
            label: t('dhcp.end'),
            required: true,
            check: (v, all) => addrCheck('range')(v) ?? (rangeOrdered(all[`range-start-${ip.index}`] ?? '', v) ? undefined : t('check.rangeOrder')),
          },
        ]}
        onSubmit={(v) =>
          change('add-last', 'ip-dhcp-range', element('range', { start: v[`range-start-${ip.index}`], end: v[`range-end-${ip.index}`] }), '', true)
        }
      />

      <Title headingLevel="h3" className="pf-v6-u-mt-lg">
        {t('dhcp.reservations')}
      </Title>
      <DataTable
        ariaLabel={t('dhcp.reservationsLabel', { family })}
        testId={`reservations-${ip.family}`}
        emptyText={t('dhcp.noReservations')}
        rows={hosts}
        rowKey={({ item: h }) => `${h.mac ?? h.id ?? ''}-${h.name ?? ''}-${h.ip ?? ''}`}
        columns={[
          { label: clientLabel, mono: true, cell: ({ item: h }) => h.mac ?? h.id ?? '—' },
          { label: t('dhcp.hostname'), cell: ({ item: h }) => h.name ?? '—' },
          { label: t('dhcp.ip'), mono: true, cell: ({ item: h }) => h.ip ?? '—' },
          ...(marked ? [{ label: t('pending.column'), cell: ({ pending }: { pending?: Pending }) => pendingCell(pending) }] : []),
        ]}
        action={({ item: h }) => (
          <RemoveButton
            label={t('dhcp.removeReservationNamed', { what: h.mac ?? h.id ?? h.name ?? h.ip ?? '' })}
            onClick={() =>
              void change('delete', 'ip-dhcp-host', element('host', { mac: h.mac, id: h.id, name: h.name, ip: h.ip }), t('dhcp.removeFailed'))
            }
          />
        )}
      />
      <InlineForm
        ariaLabel={t('dhcp.addReservationLabel', { family })}
        submitLabel={t('dhcp.addReservation')}
        fields={
          ip.family === 'ipv4'
            ? [
                {
                  id: `host-mac-${ip.index}`,
                  label: t('dhcp.mac'),
                  required: true,
                  placeholder: '52:54:00:12:34:56',
                  check: (v) => (MAC_RE.test(v) ? undefined : t('dhcp.badMac')),
                },
                { id: `host-ip-${ip.index}`, label: t('dhcp.ip'), required: true, check: addrCheck('host') },
                { id: `host-name-${ip.index}`, label: t('dhcp.hostnameOptional') },
              ]
            : [
                { id: `host-id-${ip.index}`, label: t('dhcp.idOptional'), placeholder: '0:3:0:1:52:54:0:12:34:56' },
                { id: `host-name-${ip.index}`, label: t('dhcp.hostnameOptional') },
                {
                  id: `host-ip-${ip.index}`,
                  label: t('dhcp.ip'),
                  required: true,
                  // An IPv6 reservation names its client by DUID or by host name (a MAC means nothing to DHCPv6).
                  check: (v, all) =>
                    addrCheck('host')(v) ??
                    (!all[`host-id-${ip.index}`]?.trim() && !all[`host-name-${ip.index}`]?.trim() ? t('dhcp.idOrName') : undefined),
                },
              ]
        }
        onSubmit={(v) => {
          const attrs =
            ip.family === 'ipv4'
              ? { mac: v[`host-mac-${ip.index}`], name: v[`host-name-${ip.index}`] || undefined, ip: v[`host-ip-${ip.index}`] }
              : { id: v[`host-id-${ip.index}`] || undefined, name: v[`host-name-${ip.index}`] || undefined, ip: v[`host-ip-${ip.index}`] };
          return change('add-last', 'ip-dhcp-host', element('host', attrs), '', true);
        }}
      />
    </TitledCard>
  );
}

function LeasesCard({ row }: { row: NetworkRow }) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const { notify } = useToasts();
  const conflicts = useConflicts();
  const { info, model } = row;
  const tick = store.leaseTick[info.name] ?? 0;
  const [leases, setLeases] = useState<DhcpLease[]>();
  const [error, setError] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: info.active and tick are not read; they are what makes the leases load again (the network started or stopped, a lease event came, the daemon came back)
  useEffect(() => {
    let live = true;
    client.leases(info.name).then(
      (l) => {
        if (!live) return;
        setLeases(l);
        setError(undefined);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [info.name, info.active, tick]);

  const ipFor = (lease: DhcpLease): IpEntry | undefined =>
    model.ips.find((ip) => ip.family === lease.protocol && addressProblem(lease.ipAddress, ip, 'range') === undefined);
  const reserved = (lease: DhcpLease, ip: IpEntry | undefined): boolean =>
    ip?.hosts.some((h) => h.ip === lease.ipAddress || (lease.protocol === 'ipv4' && h.mac?.toLowerCase() === lease.mac.toLowerCase())) ?? false;

  const reserve = async (lease: DhcpLease, ip: IpEntry): Promise<void> => {
    const name = lease.hostname && lease.hostname !== '*' ? lease.hostname : undefined;
    const attrs = lease.protocol === 'ipv4' ? { mac: lease.mac, name, ip: lease.ipAddress } : { id: lease.clientId, name, ip: lease.ipAddress };
    try {
      const made = await conflicts.onNetwork(
        row,
        t('dhcp.reserveNamed', { ip: lease.ipAddress }),
        netUpdate(info, 'add-last', 'ip-dhcp-host', ip.index, element('host', attrs)),
      );
      if (made) notify('success', t('dhcp.reserved', { ip: lease.ipAddress }));
    } catch (err) {
      notify('danger', t('dhcp.reserveFailed', { ip: lease.ipAddress }), errorMessage(err));
    } finally {
      void store.refreshNetwork(info.name);
    }
  };

  const expiry = (s: number): string => (s === 0 ? t('dhcp.never') : new Date(s * 1000).toLocaleString(i18n.language));

  return (
    <TitledCard title={t('dhcp.leases')}>
      {error && <Alert variant="danger" isInline isPlain title={error} variantLabel={t('common.alert.danger')} />}
      {!info.active && <Content component="p">{t('dhcp.leasesInactive')}</Content>}
      {info.active && leases && leases.length === 0 && <EmptyState titleText={t('dhcp.noLeases')} headingLevel="h3" variant="xs" />}
      {leases && leases.length > 0 && (
        <DataTable
          ariaLabel={t('dhcp.leases')}
          testId="leases"
          rows={leases}
          rowKey={(l) => `${l.mac}-${l.ipAddress}`}
          columns={[
            { label: t('dhcp.expiry'), cell: (l) => expiry(l.expiryTime) },
            { label: t('dhcp.mac'), mono: true, cell: (l) => l.mac },
            { label: t('dhcp.protocol'), cell: (l) => l.protocol },
            { label: t('dhcp.ip'), mono: true, cell: (l) => `${l.ipAddress}/${l.prefix}` },
            { label: t('dhcp.hostname'), cell: (l) => l.hostname ?? '—' },
            { label: t('dhcp.clientId'), mono: true, cell: (l) => l.clientId ?? '—' },
          ]}
          action={(l) => {
            const ip = ipFor(l);
            const done = reserved(l, ip);
            return (
              <Button
                variant="secondary"
                size="sm"
                isDisabled={!ip || done}
                onClick={() => ip && void reserve(l, ip)}
                aria-label={t('dhcp.reserveNamed', { ip: l.ipAddress })}
              >
                {done ? t('dhcp.isReserved') : t('dhcp.reserve')}
              </Button>
            );
          }}
        />
      )}
    </TitledCard>
  );
}

export function DhcpTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const ips = row.model.ips;
  return (
    <Stack hasGutter>
      <StackItem>
        <LiveNote row={row} />
      </StackItem>
      {ips.length === 0 && (
        <StackItem>
          <Content component="p">{t('dhcp.noIp')}</Content>
        </StackItem>
      )}
      {ips.map((ip) => (
        <StackItem key={ip.index}>
          <IpDhcpCard row={row} ip={ip} saved={row.configModel?.ips[ip.index]} />
        </StackItem>
      ))}
      <StackItem>
        <LeasesCard row={row} />
      </StackItem>
    </Stack>
  );
}
