/**
 * A network's XML: shown (the running network's live XML, or the stored
 * definition), and edited. While editing, the text is checked as you type —
 * well-formedness in the browser, then the daemon's own parser and checks
 * (POST /api/console/check-network) — and errors show inline under the
 * editor. Before saving, the console lists which changes will apply to the
 * running network at once (net-update) and which only at its next start.
 * Saving defines the new persistent XML, then makes the live changes.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  CodeBlock,
  CodeBlockCode,
  Content,
  Flex,
  FlexItem,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  List,
  ListItem,
  TextArea,
  Title,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { networksApi, consoleApi } from '../../api/networks.js';
import { errorMessage } from '../../api/http.js';
import { useToasts } from '../../app/toasts.js';
import { useStore, type NetworkRow } from '../../state/store.js';
import { diffNetworkXml, type XmlChange } from '../../model/xml-diff.js';
import { parseXml } from '../../model/xml.js';

export function XmlTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const store = useStore();
  const { info } = row;
  const [which, setWhich] = useState<'live' | 'config'>(info.active ? 'live' : 'config');
  const [shown, setShown] = useState<string>();
  const [stored, setStored] = useState<string>();
  const [draft, setDraft] = useState<string>();
  const [serverError, setServerError] = useState<string>();
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();

  // What is shown follows the network (live events refresh row.xml).
  useEffect(() => {
    let live = true;
    const load = which === 'live' && info.active ? Promise.resolve(row.xml ?? '') : networksApi.xml(info.name, info.persistent);
    load.then(
      (x) => live && setShown(x),
      (err: unknown) => live && setShown(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [which, info.name, info.active, info.persistent, row.xml]);

  const editing = draft !== undefined;
  const localError = useMemo(() => (draft === undefined ? undefined : parseXml(draft).error), [draft]);

  // The daemon's verdict, a moment after typing stops.
  useEffect(() => {
    if (draft === undefined || localError) {
      setServerError(undefined);
      return;
    }
    let live = true;
    setChecking(true);
    const timer = setTimeout(() => {
      consoleApi.checkNetwork(draft).then(
        (r) => {
          if (!live) return;
          setServerError(r.valid ? undefined : (r.error?.message ?? ''));
          setChecking(false);
        },
        (err: unknown) => {
          if (!live) return;
          setServerError(errorMessage(err));
          setChecking(false);
        },
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [draft, localError]);

  const before = info.active ? row.xml : stored;
  const diff = useMemo(
    () => (draft === undefined || localError || before === undefined ? undefined : diffNetworkXml(before, draft, info.active)),
    [draft, localError, before, info.active],
  );
  const changes: XmlChange[] = diff && !('error' in diff) ? diff.changes : [];
  const renamed = diff !== undefined && !('error' in diff) && diff.renamed;
  const error = localError ?? serverError;

  const startEditing = async (): Promise<void> => {
    const x = await networksApi.xml(info.name, info.persistent);
    setStored(x);
    setDraft(x);
    setSaveError(undefined);
  };

  const save = async (): Promise<void> => {
    if (draft === undefined || !diff || 'error' in diff) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      await networksApi.define(draft);
      for (const op of diff.liveOps) {
        await networksApi.update(info.name, { ...op, flags: { live: true } });
      }
      notify('success', t('xml.saved', { name: info.name }));
      setDraft(undefined);
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setSaving(false);
      void store.refreshNetwork(info.name);
    }
  };

  const changeText = (c: XmlChange): string => {
    const what = t(`xml.what.${c.what}` as 'xml.what.ip', { defaultValue: `<${c.what}>` });
    return `${t(`xml.how.${c.how}`)}: ${what}${c.detail ? ` (${c.detail})` : ''}`;
  };
  const liveChanges = changes.filter((c) => c.live);
  const laterChanges = changes.filter((c) => !c.live);

  if (!editing) {
    return (
      <>
        <Flex className="pf-v6-u-mb-md" alignItems={{ default: 'alignItemsCenter' }}>
          {info.active && info.persistent && (
            <FlexItem>
              <ToggleGroup aria-label={t('xml.which')}>
                <ToggleGroupItem text={t('xml.live')} buttonId="xml-live" isSelected={which === 'live'} onChange={() => setWhich('live')} />
                <ToggleGroupItem text={t('xml.config')} buttonId="xml-config" isSelected={which === 'config'} onChange={() => setWhich('config')} />
              </ToggleGroup>
            </FlexItem>
          )}
          <FlexItem>
            <Button variant="primary" onClick={() => void startEditing()} isDisabled={!info.persistent}>
              {t('xml.edit')}
            </Button>
          </FlexItem>
          {!info.persistent && <FlexItem>{t('xml.transient')}</FlexItem>}
        </Flex>
        <CodeBlock>
          <CodeBlockCode id="network-xml" data-testid="network-xml">
            {shown ?? ''}
          </CodeBlockCode>
        </CodeBlock>
      </>
    );
  }

  return (
    <>
      <Title headingLevel="h2">{t('xml.editing', { name: info.name })}</Title>
      <FormGroup label={t('xml.editorLabel')} fieldId="xml-editor" className="pf-v6-u-mt-md">
        <TextArea
          id="xml-editor"
          className="vn-xml"
          value={draft}
          onChange={(_e, v) => setDraft(v)}
          rows={Math.min(30, Math.max(12, draft.split('\n').length + 1))}
          resizeOrientation="vertical"
          validated={error ? 'error' : 'default'}
          aria-invalid={error ? true : undefined}
          aria-describedby="xml-editor-status"
          spellCheck={false}
        />
        <FormHelperText>
          <HelperText id="xml-editor-status" isLiveRegion>
            {error ? (
              <HelperTextItem variant="error" data-testid="xml-error">
                <span className="vn-pre vn-mono">{error}</span>
              </HelperTextItem>
            ) : checking ? (
              <HelperTextItem>{t('xml.checking')}</HelperTextItem>
            ) : (
              <HelperTextItem variant="success">{t('xml.valid')}</HelperTextItem>
            )}
          </HelperText>
        </FormHelperText>
      </FormGroup>
      {renamed && <Alert variant="warning" isInline title={t('xml.renamed')} className="pf-v6-u-mt-md" />}
      <div className="pf-v6-u-mt-md" data-testid="xml-changes">
        <Title headingLevel="h3">{t('xml.changes')}</Title>
        {changes.length === 0 ? (
          <Content component="p">{t('xml.noChanges')}</Content>
        ) : (
          <>
            {info.active && (
              <>
                <Content component="h4">{t('xml.appliesNow')}</Content>
                {liveChanges.length === 0 ? (
                  <Content component="p">{t('common.none')}</Content>
                ) : (
                  <List data-testid="xml-live-changes">
                    {liveChanges.map((c, i) => (
                      <ListItem key={i}>{changeText(c)}</ListItem>
                    ))}
                  </List>
                )}
              </>
            )}
            <Content component="h4">{info.active ? t('xml.appliesNextStart') : t('xml.appliesWhenStarted')}</Content>
            {laterChanges.length === 0 ? (
              <Content component="p">{t('common.none')}</Content>
            ) : (
              <List data-testid="xml-later-changes">
                {laterChanges.map((c, i) => (
                  <ListItem key={i}>{changeText(c)}</ListItem>
                ))}
              </List>
            )}
          </>
        )}
      </div>
      {saveError && (
        <Alert variant="danger" isInline title={t('xml.saveFailed')} className="pf-v6-u-mt-md" data-testid="xml-save-error">
          <span className="vn-pre vn-mono">{saveError}</span>
        </Alert>
      )}
      <Flex className="pf-v6-u-mt-md">
        <FlexItem>
          <Button
            variant="primary"
            onClick={() => void save()}
            isDisabled={saving || error !== undefined || checking || changes.length === 0 || renamed}
            isLoading={saving}
          >
            {t('xml.save')}
          </Button>
        </FlexItem>
        <FlexItem>
          <Button variant="link" onClick={() => setDraft(undefined)}>
            {t('common.cancel')}
          </Button>
        </FlexItem>
      </Flex>
    </>
  );
}
