/** Guests with their vNICs (placeholder until the guest API lands). */
import { PageSection, Title } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';

export default function GuestsPage() {
  const { t } = useTranslation();
  return (
    <PageSection>
      <Title headingLevel="h1">{t('guests.title')}</Title>
    </PageSection>
  );
}
