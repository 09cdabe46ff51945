/**
 * A running network's traffic, live: its guests' receive and send rates
 * over the last 15 minutes as a plain SVG chart, and each vNIC's current
 * rates and totals, from the daemon's counters read every 5 seconds while
 * the tab is open (model/traffic.ts).
 */
import { useEffect, useState } from 'react';
import { Content } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { NetworkTraffic, VnicTraffic } from '../../../../src/contract/traffic-api.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import type { NetworkRow } from '../../state/store.js';
import { DataTable } from '../../components/DataTable.js';
import { addSample, formatRate, type RatePoint, ratesOf, SAMPLE_MS, WINDOW_MS } from '../../model/traffic.js';

const W = 640;
const H = 160;

function Chart({ points, now, label }: { points: readonly RatePoint[]; now: number; label: string }) {
  const max = Math.max(1, ...points.flatMap((p) => [p.rx, p.tx]));
  const x = (time: number): number => W - ((now - time) / WINDOW_MS) * W;
  const y = (v: number): number => H - (v / max) * (H - 10);
  const line = (key: 'rx' | 'tx'): string => points.map((p) => `${x(p.time).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  return (
    <svg width={W} height={H} role="img" aria-label={label} data-testid="traffic-chart" className="vn-traffic-chart">
      <rect x={0} y={0} width={W} height={H} fill="none" stroke="#d2d2d2" />
      <polyline points={line('rx')} fill="none" stroke="#0066cc" strokeWidth={2} data-testid="traffic-rx" />
      <polyline points={line('tx')} fill="none" stroke="#3e8635" strokeWidth={2} data-testid="traffic-tx" />
      {points.map((p) => (
        <g key={p.time}>
          <circle cx={x(p.time)} cy={y(p.rx)} r={2.5} fill="#0066cc" />
          <circle cx={x(p.time)} cy={y(p.tx)} r={2.5} fill="#3e8635" />
        </g>
      ))}
      <text x={6} y={14} fontSize={11}>
        {formatRate(max)}
      </text>
    </svg>
  );
}

export function TrafficTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const name = row.info.name;
  const [samples, setSamples] = useState<NetworkTraffic[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!row.info.active) return;
    let stopped = false;
    const read = async (): Promise<void> => {
      try {
        const next = await client.networkTraffic(name);
        if (!stopped) setSamples((s) => addSample(s, next));
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(errorMessage(e));
      }
    };
    void read();
    const timer = setInterval(() => void read(), SAMPLE_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [name, row.info.active]);

  if (!row.info.active) return <Content component="p">{t('traffic.inactive')}</Content>;
  const last = samples[samples.length - 1];
  const points = ratesOf(samples, (s) => s.guests);
  const current = points[points.length - 1];
  const vnicRate = (v: VnicTraffic): RatePoint | undefined =>
    ratesOf(samples.slice(-2), (s) => s.vnics.find((n) => n.guest === v.guest && n.device === v.device)).at(-1);
  return (
    <>
      {error && <Content component="p">{error}</Content>}
      <Content component="p" data-testid="traffic-now">
        {current ? t('traffic.now', { rx: formatRate(current.rx), tx: formatRate(current.tx) }) : t('traffic.waiting')}
      </Content>
      <Chart points={points} now={last?.time ?? 0} label={t('traffic.chart', { name })} />
      <Content component="p">{t('traffic.legend')}</Content>
      <DataTable
        ariaLabel={t('traffic.vnics', { name })}
        testId="traffic-vnics"
        rows={last?.vnics ?? []}
        rowKey={(v) => `${v.guest}-${v.device}`}
        emptyText={t('traffic.noVnics')}
        columns={[
          { label: t('traffic.col.guest'), cell: (v) => v.guest },
          { label: t('traffic.col.device'), mono: true, cell: (v) => v.device },
          { label: t('traffic.col.rxRate'), cell: (v) => formatRate(vnicRate(v)?.rx ?? 0) },
          { label: t('traffic.col.txRate'), cell: (v) => formatRate(vnicRate(v)?.tx ?? 0) },
          { label: t('traffic.col.rxTotal'), cell: (v) => v.rx.bytes },
          { label: t('traffic.col.txTotal'), cell: (v) => v.tx.bytes },
        ]}
      />
    </>
  );
}
