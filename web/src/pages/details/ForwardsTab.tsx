/**
 * Port forwards of a NAT network: a host port (or range) to a guest's
 * address or name, as net-forward-add / net-forward-remove make them. A
 * change goes where the CLI's would with neither --live nor --config: live
 * if the network runs, saved if it is persistent. A named target shows
 * where it points now; entries the running network and its saved
 * definition do not share are marked. The form checks ports and protocol
 * with the daemon's own rules (src/conf/network/port-forward.ts).
 */
import { Alert, Card, CardBody, Stack, StackItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { forwardsUnsupported, portForwardOf } from '../../../../src/conf/network/port-forward-edit.js';
import { forwardLabel, parsePortRange, rangeLength, targetAddress } from '../../../../src/conf/network/port-forward.js';
import { FORWARD_PROTOS, type ForwardProto, type PortForward, type PortForwardDef } from '../../../../src/conf/network/port-forward-types.js';
import { canonical } from '../../../../src/conf/network/diff.js';
import { basedOn, client } from '../../api/client.js';
import { DataTable } from '../../components/DataTable.js';
import { InlineForm } from '../../components/InlineForm.js';
import { PendingLabel, withPending, type Pending } from '../../components/PendingLabel.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import type { NetworkRow } from '../../state/store.js';
import { LiveNote } from './DhcpTab.js';
import { useNetworkChange } from './useNetworkChange.js';

/** A forward as the list compares it (where a name points aside). */
const key = (f: PortForwardDef): string => canonical({ ...portForwardOf(f), toAddress: undefined });

export function ForwardsTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { info } = row;
  const run = useNetworkChange(row);
  if (forwardsUnsupported(row.def))
    return <Alert variant="info" isInline isPlain title={t('forwards.natOnly')} variantLabel={t('common.alert.info')} />;

  const live = row.def.portForwards?.forwards ?? [];
  const saved = info.active && info.persistent ? (row.config?.portForwards?.forwards ?? []) : undefined;
  const rows = withPending(live, saved, key);
  const marked = rows.some((r) => r.pending);
  const portCheck = (v: string): string | undefined => (parsePortRange(v) ? undefined : t('forwards.badPort'));

  const remove = (f: PortForwardDef): Promise<void> => {
    const selector = { port: portForwardOf(f).port, proto: f.proto, ...(f.address !== undefined ? { address: f.address } : {}) };
    return run(
      (ifMatch) => client.removeForward(info.name, selector, {}, basedOn(ifMatch)),
      t('forwards.changeLabel', { name: info.name }),
      t('forwards.removeFailed'),
    );
  };

  return (
    <Stack hasGutter>
      <StackItem>
        <LiveNote row={row} />
      </StackItem>
      <StackItem>
        <Card>
          <CardBody>
            <DataTable
              ariaLabel={t('forwards.label')}
              testId="forwards"
              emptyText={t('forwards.none')}
              rows={rows}
              rowKey={({ item }) => key(item)}
              columns={[
                { label: t('forwards.proto'), cell: ({ item: f }) => f.proto },
                { label: t('forwards.address'), mono: true, cell: ({ item: f }) => f.address ?? t('forwards.everyAddress') },
                { label: t('forwards.port'), mono: true, cell: ({ item: f }) => portForwardOf(f).port },
                { label: t('forwards.to'), mono: true, cell: ({ item: f }) => f.to },
                { label: t('forwards.toPort'), mono: true, cell: ({ item: f }) => portForwardOf(f).toPort ?? portForwardOf(f).port },
                {
                  label: t('forwards.toAddress'),
                  mono: true,
                  cell: ({ item: f }) => targetAddress(f) ?? '—',
                },
                ...(marked
                  ? [
                      {
                        label: t('pending.column'),
                        cell: ({ pending }: { pending?: Pending }) => (pending ? <PendingLabel pending={pending} /> : null),
                      },
                    ]
                  : []),
              ]}
              action={({ item: f }) => (
                <RemoveButton label={t('forwards.removeNamed', { forward: forwardLabel(f) })} onClick={() => void remove(f)} />
              )}
            />
            <InlineForm
              ariaLabel={t('forwards.addLabel')}
              submitLabel={t('forwards.add')}
              fields={[
                { id: 'fwd-port', label: t('forwards.port'), required: true, placeholder: '2222', check: portCheck },
                { id: 'fwd-to', label: t('forwards.toField'), required: true },
                {
                  id: 'fwd-toport',
                  label: t('forwards.toPortOptional'),
                  placeholder: '22',
                  check: (v, all) => {
                    const to = parsePortRange(v);
                    if (!to) return t('forwards.badPort');
                    const from = parsePortRange(all['fwd-port'] ?? '');
                    return from && rangeLength(from) !== rangeLength(to) ? t('forwards.lengths') : undefined;
                  },
                },
                {
                  id: 'fwd-proto',
                  label: t('forwards.protoOptional'),
                  placeholder: 'tcp',
                  check: (v) => ((FORWARD_PROTOS as readonly string[]).includes(v) ? undefined : t('forwards.badProto')),
                },
                { id: 'fwd-address', label: t('forwards.addressOptional') },
              ]}
              onSubmit={(v) => {
                const forward: PortForward = { proto: (v['fwd-proto'] || 'tcp') as ForwardProto, port: v['fwd-port'] ?? '', to: v['fwd-to'] ?? '' };
                if (v['fwd-toport']) forward.toPort = v['fwd-toport'];
                if (v['fwd-address']) forward.address = v['fwd-address'];
                return run(
                  (ifMatch) => client.addForward(info.name, forward, {}, basedOn(ifMatch)),
                  t('forwards.changeLabel', { name: info.name }),
                  '',
                  true,
                );
              }}
            />
          </CardBody>
        </Card>
      </StackItem>
    </Stack>
  );
}
