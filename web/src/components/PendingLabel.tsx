/**
 * The marker of what a running network (or guest) has not taken yet: a
 * saved change that "takes effect at next start", or a live one that is
 * gone at the next start because it was not saved.
 */
import { Label } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';

export type Pending = 'next-start' | 'live-only';

export function PendingLabel({ pending }: { pending: Pending }) {
  const { t } = useTranslation();
  return (
    <Label isCompact color={pending === 'next-start' ? 'orange' : 'purple'} data-testid={`pending-${pending}`}>
      {pending === 'next-start' ? t('pending.nextStart') : t('pending.liveOnly')}
    </Label>
  );
}

/**
 * The entries of a running network's list (live) and of its saved
 * definition (saved) together: each live one, marked when the saved
 * definition lacks it; then each saved one the running network lacks.
 */
export function withPending<T>(live: readonly T[], saved: readonly T[] | undefined, key: (x: T) => string): { item: T; pending?: Pending }[] {
  if (saved === undefined) return live.map((item) => ({ item }));
  const s = new Set(saved.map(key));
  const l = new Set(live.map(key));
  return [
    ...live.map((item) => (s.has(key(item)) ? { item } : { item, pending: 'live-only' as const })),
    ...saved.filter((x) => !l.has(key(x))).map((item) => ({ item, pending: 'next-start' as const })),
  ];
}
