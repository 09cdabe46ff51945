/**
 * One line for a difference between two definitions of a network
 * (src/conf/network/diff.ts): "Added: DHCP reservation (52:54:00:…)".
 */
import type { TFunction } from 'i18next';
import type { DefChange } from '../../../src/conf/network/diff.js';
import { tDynamic } from '../i18n/index.js';

export function changeText(c: DefChange, t: TFunction): string {
  const what = tDynamic(t, `xml.what.${c.what}`);
  return `${t(`xml.how.${c.how}`)}: ${what}${c.detail ? ` (${c.detail})` : ''}`;
}
