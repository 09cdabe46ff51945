/** A dialog's close (×) button, named in the console's language (PatternFly's own says "Close" in English only). */
import { Button } from '@patternfly/react-core';
import TimesIcon from '@patternfly/react-icons/dist/esm/icons/times-icon.js';
import { useTranslation } from 'react-i18next';

export function CloseButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return <Button variant="plain" aria-label={t('common.close')} onClick={onClick} icon={<TimesIcon />} />;
}
