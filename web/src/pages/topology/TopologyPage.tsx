/** The topology view (placeholder until the guest API lands). */
import { PageSection, Title } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';

export default function TopologyPage() {
  const { t } = useTranslation();
  return (
    <PageSection>
      <Title headingLevel="h1">{t('topology.title')}</Title>
    </PageSection>
  );
}
