/**
 * The topology view: host uplinks, networks with their bridges, vNICs and
 * guests drawn as a left-to-right graph (react-topology, Dagre layout),
 * redrawn from the store, so it follows the daemon's live events. Pan and
 * zoom with the mouse or the control bar; a text list of the same links
 * sits below for keyboard and screen-reader users.
 */
import { useEffect, useMemo, useState } from 'react';
import { Content, List, ListItem, PageSection, Title } from '@patternfly/react-core';
import {
  type ComponentFactory,
  DagreLayout,
  DefaultEdge,
  DefaultNode,
  EdgeStyle,
  GraphComponent,
  type LayoutFactory,
  type Model,
  ModelKind,
  NodeShape,
  NodeStatus,
  TopologyControlBar,
  TopologyView,
  Visualization,
  VisualizationProvider,
  VisualizationSurface,
  action,
  createTopologyControlButtons,
  defaultControlButtonsOptions,
  observer,
  withPanZoom,
  type Graph,
  type GraphElement,
  type Node,
} from '@patternfly/react-topology';
import NetworkIcon from '@patternfly/react-icons/dist/esm/icons/network-icon.js';
import GlobeIcon from '@patternfly/react-icons/dist/esm/icons/globe-icon.js';
import PortIcon from '@patternfly/react-icons/dist/esm/icons/port-icon.js';
import ServerIcon from '@patternfly/react-icons/dist/esm/icons/server-icon.js';
import { useTranslation } from 'react-i18next';
import { useStore } from '../../state/store.js';
import { buildTopology, type TopoKind, type Topology } from '../../model/topology.js';

const SIZE: Record<TopoKind, { width: number; height: number; shape: NodeShape }> = {
  uplink: { width: 70, height: 70, shape: NodeShape.hexagon },
  network: { width: 80, height: 80, shape: NodeShape.ellipse },
  nic: { width: 44, height: 44, shape: NodeShape.rect },
  guest: { width: 70, height: 70, shape: NodeShape.rect },
};

interface NodeData {
  kind: TopoKind;
  secondary?: string | undefined;
  active: boolean;
  badge: string;
}

const ICONS: Record<TopoKind, typeof NetworkIcon> = { uplink: GlobeIcon, network: NetworkIcon, nic: PortIcon, guest: ServerIcon };

const TopoNodeView = observer(({ element }: { element: GraphElement }) => {
  const node = element as Node;
  const data = node.getData() as NodeData;
  const { width, height } = node.getDimensions();
  const Icon = ICONS[data.kind];
  const size = data.kind === 'nic' ? 18 : 28;
  return (
    <DefaultNode
      element={node}
      {...(data.active ? {} : { className: 'vn-topo-inactive' })}
      label={node.getLabel()}
      {...(data.secondary !== undefined ? { secondaryLabel: data.secondary } : {})}
      truncateLength={22}
      badge={data.badge}
      nodeStatus={data.active ? NodeStatus.success : NodeStatus.default}
    >
      <g transform={`translate(${(width - size) / 2}, ${(height - size) / 2})`}>
        <Icon width={size} height={size} />
      </g>
    </DefaultNode>
  );
});

const componentFactory: ComponentFactory = (kind) => {
  switch (kind) {
    case ModelKind.graph:
      return withPanZoom()(GraphComponent);
    case ModelKind.node:
      return TopoNodeView;
    case ModelKind.edge:
      return DefaultEdge;
    default:
      return undefined;
  }
};

const layoutFactory: LayoutFactory = (_type: string, graph: Graph) => new DagreLayout(graph, { rankdir: 'LR', ranksep: 110, nodesep: 40 });

function toModel(topo: Topology, badges: Record<TopoKind, string>): Model {
  return {
    graph: { id: 'virtnet', type: 'graph', layout: 'Dagre' },
    nodes: topo.nodes.map((n) => ({
      id: n.id,
      type: 'node',
      label: n.label,
      ...SIZE[n.kind],
      data: { kind: n.kind, secondary: n.secondary, active: n.active, badge: badges[n.kind] } satisfies NodeData,
    })),
    edges: topo.edges.map((e) => ({
      id: e.id,
      type: 'edge',
      source: e.source,
      target: e.target,
      edgeStyle: e.id.startsWith('fwd:') ? EdgeStyle.dashed : EdgeStyle.default,
    })),
  };
}

export default function TopologyPage() {
  const { t } = useTranslation();
  const store = useStore();
  const topo = useMemo(() => buildTopology(store.networks, store.guests, store.host), [store.networks, store.guests, store.host]);
  const badges: Record<TopoKind, string> = {
    uplink: t('topology.badge.uplink'),
    network: t('topology.badge.network'),
    nic: t('topology.badge.nic'),
    guest: t('topology.badge.guest'),
  };

  const [controller] = useState(() => {
    const c = new Visualization();
    c.registerLayoutFactory(layoutFactory);
    c.registerComponentFactory(componentFactory);
    c.setFitToScreenOnLayout(true, 80);
    return c;
  });

  const model = toModel(topo, badges);
  const key = JSON.stringify(model);
  useEffect(() => {
    controller.fromModel(JSON.parse(key) as Model, false);
  }, [controller, key]);

  const label = (id: string): string => topo.nodes.find((n) => n.id === id)?.label ?? id;

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{t('topology.title')}</Title>
        <Content component="p">{t('topology.help')}</Content>
      </PageSection>
      <PageSection isFilled>
        <div className="vn-topology" data-testid="topology" role="img" aria-label={t('topology.graphLabel')}>
          <TopologyView
            controlBar={
              <TopologyControlBar
                controlButtons={createTopologyControlButtons({
                  ...defaultControlButtonsOptions,
                  zoomInTip: t('topology.zoomIn'),
                  zoomInAriaLabel: t('topology.zoomIn'),
                  zoomOutTip: t('topology.zoomOut'),
                  zoomOutAriaLabel: t('topology.zoomOut'),
                  fitToScreenTip: t('topology.fit'),
                  fitToScreenAriaLabel: t('topology.fit'),
                  resetViewTip: t('topology.reset'),
                  resetViewAriaLabel: t('topology.reset'),
                  legend: false,
                  zoomInCallback: action(() => controller.getGraph().scaleBy(4 / 3)),
                  zoomOutCallback: action(() => controller.getGraph().scaleBy(0.75)),
                  fitToScreenCallback: action(() => controller.getGraph().fit(80)),
                  resetViewCallback: action(() => {
                    controller.getGraph().reset();
                    controller.getGraph().layout();
                  }),
                })}
              />
            }
          >
            <VisualizationProvider controller={controller}>
              <VisualizationSurface state={{}} />
            </VisualizationProvider>
          </TopologyView>
        </div>
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
              </ListItem>
            ))}
          </List>
        )}
      </PageSection>
    </>
  );
}
