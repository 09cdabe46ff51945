/** A form field's check results as PatternFly helper text (errors and warnings), announced to screen readers. */
import { FormHelperText, HelperText, HelperTextItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { tDynamic } from '../i18n/index.js';
import type { Finding } from '../model/wizard.js';

export function validatedOf(findings: readonly Finding[]): 'error' | 'warning' | 'default' {
  if (findings.some((f) => !f.warning)) return 'error';
  if (findings.length > 0) return 'warning';
  return 'default';
}

export function FieldFindings({ findings, hint, id }: { findings: readonly Finding[]; hint?: string; id?: string }) {
  const { t } = useTranslation();
  if (findings.length === 0 && hint === undefined) return null;
  return (
    <FormHelperText>
      <HelperText {...(id !== undefined ? { id } : {})} isLiveRegion>
        {findings.length === 0 && hint !== undefined && <HelperTextItem>{hint}</HelperTextItem>}
        {findings.map((f, i) => (
          <HelperTextItem key={i} variant={f.warning ? 'warning' : 'error'} data-testid={`finding-${f.field}`}>
            {tDynamic(t, `check.${f.key}`, f.values)}
          </HelperTextItem>
        ))}
      </HelperText>
    </FormHelperText>
  );
}
