/**
 * The first visit: the daemon's token (printed by virtnetd at start-up and
 * kept in RUN/token, /run/virtnet/token by default) buys a session cookie.
 * After a session ended, the page first says why.
 */
import { useState, type FormEvent } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Content,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { SessionEnd } from '../../../src/contract/console-api.js';
import { consoleApi } from '../api/client.js';
import { errorMessage } from '../i18n/errors.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function Login({ onLoggedIn, ended }: { onLoggedIn: (csrf: string | undefined) => void; ended?: SessionEnd | 'unreachable' }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await consoleApi.login(token);
      onLoggedIn(s.csrf);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="vn-login">
      <Card>
        <CardTitle>
          <Title headingLevel="h1" size="2xl">
            {t('login.title')}
          </Title>
        </CardTitle>
        <CardBody>
          <Content component="p">{t('login.intro')}</Content>
          <Content component="p">
            <code className="vn-mono">/run/virtnet/token</code> {t('login.tokenWhere')}
          </Content>
          <Form onSubmit={(e) => void submit(e)}>
            {ended !== undefined && !error && (
              <Alert variant="info" isInline title={t(`login.ended.${ended}`)} variantLabel={t('common.alert.info')} data-testid="session-ended" />
            )}
            {error && (
              <Alert variant="danger" isInline title={t('login.failed')} variantLabel={t('common.alert.danger')}>
                {error}
              </Alert>
            )}
            <FormGroup label={t('login.token')} isRequired fieldId="login-token">
              <TextInput
                id="login-token"
                name="token"
                type="password"
                autoComplete="off"
                value={token}
                onChange={(_e, v) => setToken(v)}
                isRequired
                autoFocus
                validated={error ? 'error' : 'default'}
              />
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>{t('login.tokenHelp')}</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <ActionGroup>
              <Button type="submit" variant="primary" isLoading={busy} isDisabled={busy || token.trim() === ''}>
                {t('login.submit')}
              </Button>
              <LanguageSwitch />
            </ActionGroup>
          </Form>
        </CardBody>
      </Card>
    </main>
  );
}
