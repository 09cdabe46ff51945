import type { ReactNode } from 'react';
import { Card, CardBody, CardTitle } from '@patternfly/react-core';

/** A card with its heading (h2) over its body, as the tabs of a network show their parts. */
export function TitledCard({ title, testId, children }: { title: ReactNode; testId?: string; children: ReactNode }) {
  return (
    <Card data-testid={testId}>
      <CardTitle component="h2">{title}</CardTitle>
      <CardBody>{children}</CardBody>
    </Card>
  );
}
