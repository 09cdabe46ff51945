/** A table row's "Remove" link button, in the danger colour, named for screen readers by what it removes. */
import { Button } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';

export function RemoveButton({ label, onClick, isDisabled }: { label: string; onClick: () => void; isDisabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <Button variant="link" isDanger isDisabled={isDisabled === true} aria-label={label} onClick={onClick}>
      {t('common.remove')}
    </Button>
  );
}
