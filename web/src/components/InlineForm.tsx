/**
 * A one-line form for adding an entry to a table (a reservation, a range, a
 * DNS host): labelled fields side by side, an Add button, and the daemon's
 * error under them when the change is refused.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Flex, FlexItem, Form, FormGroup, TextInput } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../i18n/errors.js';

export interface InlineField {
  id: string;
  label: string;
  placeholder?: string;
  required?: boolean;
  /** A local check: the message to show, or undefined when the value is fine. */
  check?: (value: string, all: Record<string, string>) => string | undefined;
}

export function InlineForm({
  fields,
  submitLabel,
  onSubmit,
  ariaLabel,
}: {
  fields: InlineField[];
  submitLabel: string;
  onSubmit: (values: Record<string, string>) => Promise<void>;
  ariaLabel: string;
}) {
  const { t } = useTranslation();
  const empty = Object.fromEntries(fields.map((f) => [f.id, '']));
  const [values, setValues] = useState<Record<string, string>>(empty);
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const problems = Object.fromEntries(
    fields.map((f) => {
      const v = (values[f.id] ?? '').trim();
      if (f.required && v === '') return [f.id, t('common.required')];
      return [f.id, v === '' ? undefined : f.check?.(v, values)];
    }),
  ) as Record<string, string | undefined>;
  const invalid = Object.values(problems).some((p) => p !== undefined);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()])));
      setValues(empty);
      setTouched(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form onSubmit={(e) => void submit(e)} aria-label={ariaLabel} className="pf-v6-u-mt-md">
      {error && <Alert variant="danger" isInline isPlain title={error} variantLabel={t('common.alert.danger')} data-testid="inline-form-error" />}
      <Flex alignItems={{ default: 'alignItemsFlexEnd' }}>
        {fields.map((f) => {
          const problem = touched || (values[f.id] ?? '') !== '' ? problems[f.id] : undefined;
          return (
            <FlexItem key={f.id}>
              <FormGroup label={f.label} isRequired={f.required === true} fieldId={f.id}>
                <TextInput
                  id={f.id}
                  value={values[f.id] ?? ''}
                  {...(f.placeholder !== undefined ? { placeholder: f.placeholder } : {})}
                  validated={problem ? 'error' : 'default'}
                  {...(problem ? { 'aria-invalid': true, 'aria-describedby': `${f.id}-problem` } : {})}
                  onChange={(_e, v) => setValues((old) => ({ ...old, [f.id]: v }))}
                />
                {problem && (
                  <div id={`${f.id}-problem`} className="pf-v6-c-helper-text">
                    <div className="pf-v6-c-helper-text__item pf-m-error">
                      <span className="pf-v6-c-helper-text__item-text">{problem}</span>
                    </div>
                  </div>
                )}
              </FormGroup>
            </FlexItem>
          );
        })}
        <FlexItem>
          <Button type="submit" variant="secondary" isLoading={busy} isDisabled={busy}>
            {submitLabel}
          </Button>
        </FlexItem>
      </Flex>
    </Form>
  );
}
