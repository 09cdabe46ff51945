/**
 * The vNIC columns that the guests page and a network's Guests tab both show
 * (MAC, model, target device, addresses from the leases), with the same
 * labels and cell texts, for a DataTable of vNICs.
 */
import type { TFunction } from 'i18next';
import type { Column } from '../../components/DataTable.js';
import type { AttachedNic } from '../../state/guests.js';

/** The vNIC's addresses from the leases, "address/prefix", matched by MAC. */
function nicAddresses({ guest, nic }: AttachedNic): string[] {
  return guest.addresses.filter((a) => a.mac.toLowerCase() === nic.mac.toLowerCase()).map((a) => `${a.address}/${a.prefix}`);
}

export function nicColumns(t: TFunction) {
  const mac: Column<AttachedNic> = { label: t('guests.nic.mac'), mono: true, cell: ({ nic }) => nic.mac };
  const model: Column<AttachedNic> = { label: t('guests.nic.model'), cell: ({ nic }) => nic.model ?? '—' };
  const target: Column<AttachedNic> = { label: t('guests.nic.target'), mono: true, cell: ({ nic }) => nic.target ?? '—' };
  const addresses: Column<AttachedNic> = {
    label: t('guests.nic.addresses'),
    mono: true,
    cell: (row) => {
      const addrs = nicAddresses(row);
      return addrs.length ? addrs.join(', ') : '—';
    },
  };
  return { mac, model, target, addresses };
}
