/**
 * The topology view: host uplinks, networks with their bridges, vNICs and
 * guests, left to right, grouped per network (model/topology.ts lays it
 * out), drawn as plain SVG at its natural size, so every label is 12 px
 * (11 px for the second line) and a big host scrolls rather than shrinks.
 * OVN networks show their guests by host, with the tunnels between hosts
 * (the OVN hosts are read while the page is open, state/ovn-hosts.ts).
 * Every node is a link: Tab reaches it, Enter or a click opens the network,
 * the guest, or the Hosts page; a guest on another host is no link. A legend says what shapes and lines mean, and a text list
 * of the same links sits below for screen readers. Redrawn from the store,
 * so it follows the daemon's live events.
 */
import { useEffect, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Content, List, ListItem, PageSection, Title } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { useStore } from '../../state/store.js';
import { useOvnHosts } from '../../state/ovn-hosts.js';
import { buildTopology, layoutTopology, type PlacedNode, type TopoKind } from '../../model/topology.js';
import { guestHref, hostsHref, navigate, networkHref } from '../../app/router.js';
import { client } from '../../api/client.js';
import type { NetworkTraffic } from '../../../../src/contract/traffic-api.js';
import { BUSY_BYTES_PER_SECOND, formatRate, SAMPLE_MS, vnicRates } from '../../model/traffic.js';

/** Each vNIC's current rate, from the running networks' counters read every SAMPLE_MS, by topology node id. */
function useVnicRates(networks: readonly string[]): Map<string, number> {
  const [rates, setRates] = useState(new Map<string, number>());
  const key = networks.join('\n');
  useEffect(() => {
    const names = key === '' ? [] : key.split('\n');
    const last = new Map<string, NetworkTraffic>();
    let stopped = false;
    const read = async (): Promise<void> => {
      const next = new Map<string, number>();
      for (const name of names) {
        const now = await client.networkTraffic(name).catch(() => undefined);
        const before = last.get(name);
        if (now === undefined) continue;
        if (before !== undefined) for (const [id, r] of vnicRates(before, now)) next.set(id, r);
        last.set(name, now);
      }
      if (!stopped) setRates(next);
    };
    void read();
    const timer = setInterval(() => void read(), SAMPLE_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [key]);
  return rates;
}

/** Where a node leads: its network, or its guest (a vNIC leads to its guest); uplinks lead nowhere. */
function hrefOf(node: PlacedNode): string | undefined {
  if (node.kind === 'network') return networkHref(node.id.slice('net:'.length));
  if (node.kind === 'guest') return guestHref(node.id.slice('guest:'.length));
  if (node.kind === 'nic') return guestHref(node.id.slice('nic:'.length).replace(/:[^:]*(:[^:]*){5}$/, ''));
  if (node.kind === 'host') return hostsHref();
  return undefined;
}

const SHAPE: Record<TopoKind, { rx: number; className: string }> = {
  uplink: { rx: 2, className: 'vn-topo-uplink' },
  network: { rx: 20, className: 'vn-topo-network' },
  nic: { rx: 6, className: 'vn-topo-nic' },
  guest: { rx: 2, className: 'vn-topo-guest' },
  host: { rx: 10, className: 'vn-topo-host' },
  remote: { rx: 2, className: 'vn-topo-remote' },
};

/** Keep a label inside its box: cut at a word boundary when it can, with an ellipsis. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

function NodeView({ node, label }: { node: PlacedNode; label: string }) {
  const href = hrefOf(node);
  const open = (): void => {
    if (href) navigate(href);
  };
  const onKey = (e: KeyboardEvent<SVGGElement>): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  };
  const shape = SHAPE[node.kind];
  return (
    <g
      transform={`translate(${node.x},${node.y})`}
      className={`vn-topo-node ${shape.className}${node.active ? '' : ' vn-topo-inactive'}`}
      data-testid={`topo-${node.id}`}
      {...(href ? { role: 'link', tabIndex: 0, onClick: open, onKeyDown: onKey, 'aria-label': label } : { role: 'img', 'aria-label': label })}
    >
      <title>{label}</title>
      <rect width={node.width} height={node.height} rx={shape.rx} />
      <text x={10} y={node.secondary ? 16 : 25} className="vn-topo-label">
        {clip(node.label, 26)}
      </text>
      {node.secondary && (
        <text x={10} y={31} className="vn-topo-secondary">
          {clip(node.secondary, 28)}
        </text>
      )}
    </g>
  );
}

/** A legend entry: a small drawing (`children`, drawn as the graph draws it) and what it means. */
function LegendEntry({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <li>
      <svg width="28" height="16" aria-hidden="true" className={className}>
        {children}
      </svg>
      {label}
    </li>
  );
}

/** A legend entry for a kind of link: a short line with the link's classes. */
function LinkLegend({ label, className }: { label: string; className: string }) {
  return (
    <LegendEntry label={label}>
      <line x1="0" y1="8" x2="28" y2="8" className={className} />
    </LegendEntry>
  );
}

export default function TopologyPage() {
  const { t } = useTranslation();
  const store = useStore();
  const anyOvn = store.networks.some((n) => n.def.ovn !== undefined);
  const ovn = useOvnHosts(anyOvn).body;
  const topo = useMemo(
    () => buildTopology(store.networks, store.guests, store.host, anyOvn ? ovn : undefined),
    [store.networks, store.guests, store.host, anyOvn, ovn],
  );
  const layout = useMemo(() => layoutTopology(topo), [topo]);
  const kindName: Record<TopoKind, string> = {
    uplink: t('topology.legend.uplink'),
    network: t('topology.legend.network'),
    nic: t('topology.legend.nic'),
    guest: t('topology.legend.guest'),
    host: t('topology.legend.host'),
    remote: t('topology.legend.remote'),
  };
  const nodeLabel = (n: PlacedNode): string =>
    `${kindName[n.kind]} ${n.label}${n.secondary ? ` (${n.secondary})` : ''}, ${n.active ? t('topology.legend.active') : t('topology.legend.inactive')}`;
  const label = (id: string): string => topo.nodes.find((n) => n.id === id)?.label ?? id;
  const running = useMemo(() => store.networks.filter((n) => n.info.active).map((n) => n.info.name), [store.networks]);
  const rates = useVnicRates(running);
  /** A plug link's rate when it is busy. */
  const busy = (edgeId: string): number | undefined => {
    const r = edgeId.startsWith('plug:') ? rates.get(edgeId.slice('plug:'.length)) : undefined;
    return r !== undefined && r >= BUSY_BYTES_PER_SECOND ? r : undefined;
  };

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{t('topology.title')}</Title>
        <Content component="p">{t('topology.help')}</Content>
        <ul className="vn-topo-legend" aria-label={t('topology.legend.label')} data-testid="topology-legend">
          {(['uplink', 'network', 'nic', 'guest', ...(anyOvn ? (['host', 'remote'] as const) : [])] as const).map((k) => (
            <LegendEntry key={k} label={kindName[k]} className={`vn-topo-node ${SHAPE[k].className}`}>
              <rect x="1" y="1" width="26" height="14" rx={Math.min(SHAPE[k].rx, 7)} />
            </LegendEntry>
          ))}
          <LegendEntry label={t('topology.legend.inactive')} className="vn-topo-node vn-topo-inactive">
            <rect x="1" y="1" width="26" height="14" rx="2" />
          </LegendEntry>
          <LinkLegend label={t('topology.legend.forward')} className="vn-topo-edge vn-topo-edge-forward" />
          <LinkLegend label={t('topology.legend.plug')} className="vn-topo-edge" />
          {anyOvn && <LinkLegend label={t('topology.legend.tunnel')} className="vn-topo-edge vn-topo-edge-tunnel" />}
          <LinkLegend label={t('topology.legend.busy')} className="vn-topo-edge vn-topo-edge-busy" />
        </ul>
      </PageSection>
      <PageSection isFilled>
        <section className="vn-topology" data-testid="topology" aria-label={t('topology.graphLabel')}>
          <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
            <title>{t('topology.graphLabel')}</title>
            <g>
              {layout.edges.map((e) => (
                <path
                  key={e.id}
                  d={e.path}
                  className={`vn-topo-edge${e.tunnel ? ' vn-topo-edge-tunnel' : e.dashed ? ' vn-topo-edge-forward' : ''}${busy(e.id) !== undefined ? ' vn-topo-edge-busy' : ''}`}
                  data-busy={busy(e.id) !== undefined ? 'true' : undefined}
                />
              ))}
            </g>
            {layout.nodes.map((n) => (
              <NodeView key={n.id} node={n} label={nodeLabel(n)} />
            ))}
          </svg>
        </section>
        <Title headingLevel="h2" className="pf-v6-u-mt-md">
          {t('topology.links')}
        </Title>
        {topo.edges.length === 0 ? (
          <Content component="p">{t('topology.noLinks')}</Content>
        ) : (
          <List data-testid="topology-links">
            {topo.edges.map((e) => (
              <ListItem key={e.id}>
                {label(e.source)} → {label(e.target)}
                {e.label ? ` (${e.label})` : ''}
                {busy(e.id) !== undefined ? ` — ${t('topology.busy', { rate: formatRate(busy(e.id) ?? 0) })}` : ''}
              </ListItem>
            ))}
          </List>
        )}
      </PageSection>
    </>
  );
}
