/**
 * A network's XML: shown (the running network's live XML, or the saved
 * definition), and edited. The editor edits the saved definition: the
 * text is checked as you type by the daemon's own parser and checks
 * (POST /api/console/check-network), whose refusal shows under the editor
 * in the console's language — a document that is not well formed gets our
 * own sentence with its line and column. The changes listed are those from
 * the saved definition to the edit, each marked as applying to the running
 * network at once (net-update) or at its next start; nothing edited,
 * nothing listed and no Save. Apart from them, what the running network
 * has not taken yet (saved earlier, pending a restart) is listed too.
 *
 * Saving defines the edit with the version the editor started from
 * (If-Match), then makes the live changes. When someone else changed the
 * network meanwhile, nothing is saved: their change is shown, and the user
 * takes their version (dropping the edit) or saves the edit over it.
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
import type { NetworkDef } from '../../../../src/conf/network/types.js';
import type { UpdateRequest } from '../../../../src/contract/network-api.js';
import { definesAnother, diffNetworkDefs, type DefChange } from '../../../../src/conf/network/diff.js';
import { client, consoleApi, isConflict, basedOn } from '../../api/client.js';
import { errorMessage, errorOfBody } from '../../i18n/errors.js';
import { useToasts } from '../../app/toasts.js';
import { useStore, type NetworkRow } from '../../state/store.js';
import { changeText } from '../../model/changes.js';
import { PendingLabel } from '../../components/PendingLabel.js';

/** What the editor started from: the saved XML, its model and its version. */
interface Base {
  xml: string;
  def: NetworkDef;
  version: string | undefined;
}

/** The daemon's verdict on the draft. */
interface Checked {
  draft: string;
  error?: string;
  def?: NetworkDef;
  liveOps?: UpdateRequest[];
}

/** Someone else's change, found at save. */
interface Conflict {
  base: Base;
  changes: DefChange[];
}

/** The saved definition as it is now (version first: a change in between is refused, never lost). */
async function readBase(name: string): Promise<Base> {
  const version = await client.versionOf(name);
  const xml = await client.getXml(name, { inactive: true });
  const checked = await consoleApi.checkNetwork(xml);
  if (!checked.def) throw errorOfBody(checked.error ?? { class: 'INTERNAL_ERROR', detail: 'the saved definition does not read back', message: '' });
  return { xml, def: checked.def, version };
}

function ChangeList({ changes, testId, active }: { changes: DefChange[]; testId: string; active: boolean }) {
  const { t } = useTranslation();
  if (changes.length === 0) return <Content component="p">{t('common.none')}</Content>;
  return (
    <List data-testid={testId}>
      {changes.map((c, i) => (
        <ListItem key={i}>
          {changeText(c, t)} {active && !c.live && <PendingLabel pending="next-start" />}
        </ListItem>
      ))}
    </List>
  );
}

export function XmlTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const store = useStore();
  const { info } = row;
  const [which, setWhich] = useState<'live' | 'config'>(info.active ? 'live' : 'config');
  const [shown, setShown] = useState<string>();
  const [base, setBase] = useState<Base>();
  const [draft, setDraft] = useState<string>();
  const [checked, setChecked] = useState<Checked>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [conflict, setConflict] = useState<Conflict>();

  // What is shown follows the network (live events refresh the row).
  // biome-ignore lint/correctness/useExhaustiveDependencies: row.version is not read; it is what makes the XML load again (the network changed)
  useEffect(() => {
    let live = true;
    client.getXml(info.name, { inactive: which === 'config' || !info.active }).then(
      (x) => live && setShown(x),
      (err: unknown) => live && setShown(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [which, info.name, info.active, row.version]);

  // The daemon's verdict, a moment after typing stops.
  useEffect(() => {
    if (draft === undefined) return;
    let live = true;
    const timer = setTimeout(() => {
      consoleApi.checkNetwork(draft, info.name).then(
        (r) =>
          live &&
          setChecked({
            draft,
            ...(r.error ? { error: errorMessage(errorOfBody(r.error)) } : {}),
            ...(r.def ? { def: r.def } : {}),
            ...(r.liveOps ? { liveOps: r.liveOps } : {}),
          }),
        (err: unknown) => live && setChecked({ draft, error: errorMessage(err) }),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [draft, info.name]);

  const current = checked !== undefined && checked.draft === draft ? checked : undefined;
  const checking = draft !== undefined && current === undefined;
  const changes = useMemo(() => (base && current?.def ? diffNetworkDefs(base.def, current.def) : []), [base, current]);
  const renamed = base !== undefined && current?.def !== undefined && definesAnother(base.def, current.def);
  const error = current?.error;
  // What the running network has not taken yet: its saved definition against its live one.
  const pending = useMemo(() => (info.active && row.config ? diffNetworkDefs(row.def, row.config) : []), [info.active, row.def, row.config]);

  const startEditing = async (): Promise<void> => {
    setSaveError(undefined);
    setConflict(undefined);
    try {
      const b = await readBase(info.name);
      setBase(b);
      setDraft(b.xml);
    } catch (err) {
      notify('danger', t('xml.loadFailed'), errorMessage(err));
    }
  };

  const save = async (over?: Base): Promise<void> => {
    if (draft === undefined || !base || !current?.def) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      const from = over ?? base;
      // Over someone else's change, the live changes are those from their version to the edit.
      const ops = over ? ((await consoleApi.checkNetwork(draft, info.name)).liveOps ?? []) : (current.liveOps ?? []);
      await client.define(draft, basedOn(from.version));
      for (const op of ops) await client.update(info.name, op, basedOn(await client.versionOf(info.name)));
      notify('success', t('xml.saved', { name: info.name }));
      setDraft(undefined);
      setBase(undefined);
      setConflict(undefined);
    } catch (err) {
      if (isConflict(err)) {
        const now = await readBase(info.name).catch(() => undefined);
        if (now) setConflict({ base: now, changes: diffNetworkDefs(base.def, now.def) });
        else setSaveError(errorMessage(err));
      } else {
        setSaveError(errorMessage(err));
      }
    } finally {
      setSaving(false);
      void store.refreshNetwork(info.name);
    }
  };

  const takeTheirs = (): void => {
    if (!conflict) return;
    setBase(conflict.base);
    setDraft(conflict.base.xml);
    setConflict(undefined);
  };

  const pendingSection = info.active && info.persistent && (
    <div className="pf-v6-u-mt-md" data-testid="xml-pending">
      <Title headingLevel="h3">{t('xml.pendingTitle')}</Title>
      {pending.length === 0 ? (
        <Content component="p">{t('xml.pendingNone')}</Content>
      ) : (
        <ChangeList changes={pending} testId="xml-pending-changes" active />
      )}
    </div>
  );

  if (draft === undefined) {
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
        {pendingSection}
      </>
    );
  }

  const liveChanges = changes.filter((c) => c.live && info.active);
  const laterChanges = changes.filter((c) => !(c.live && info.active));

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
      {renamed && <Alert variant="warning" isInline title={t('xml.renamed')} variantLabel={t('common.alert.warning')} className="pf-v6-u-mt-md" />}
      <div className="pf-v6-u-mt-md" data-testid="xml-changes">
        <Title headingLevel="h3">{t('xml.changes')}</Title>
        {changes.length === 0 ? (
          <Content component="p">{t('xml.noChanges')}</Content>
        ) : (
          <>
            {info.active && (
              <>
                <Content component="h4">{t('xml.appliesNow')}</Content>
                <ChangeList changes={liveChanges} testId="xml-live-changes" active={false} />
              </>
            )}
            <Content component="h4">{info.active ? t('xml.appliesNextStart') : t('xml.appliesWhenStarted')}</Content>
            <ChangeList changes={laterChanges} testId="xml-later-changes" active={false} />
          </>
        )}
      </div>
      {pendingSection}
      {conflict && (
        <Alert
          variant="warning"
          isInline
          title={t('xml.conflictTitle')}
          variantLabel={t('common.alert.warning')}
          className="pf-v6-u-mt-md"
          data-testid="xml-conflict"
        >
          <Content component="p">{t('xml.conflictIntro')}</Content>
          <ChangeList changes={conflict.changes} testId="xml-conflict-changes" active={false} />
          <Flex className="pf-v6-u-mt-sm">
            <FlexItem>
              <Button variant="secondary" onClick={takeTheirs}>
                {t('xml.takeTheirs')}
              </Button>
            </FlexItem>
            <FlexItem>
              <Button variant="warning" onClick={() => void save(conflict.base)} isLoading={saving} isDisabled={saving}>
                {t('xml.saveOver')}
              </Button>
            </FlexItem>
          </Flex>
        </Alert>
      )}
      {saveError && (
        <Alert
          variant="danger"
          isInline
          title={t('xml.saveFailed')}
          variantLabel={t('common.alert.danger')}
          className="pf-v6-u-mt-md"
          data-testid="xml-save-error"
        >
          <span className="vn-pre vn-mono">{saveError}</span>
        </Alert>
      )}
      <Flex className="pf-v6-u-mt-md">
        <FlexItem>
          <Button
            variant="primary"
            onClick={() => void save()}
            isDisabled={saving || error !== undefined || checking || changes.length === 0 || renamed || conflict !== undefined}
            isLoading={saving}
          >
            {t('xml.save')}
          </Button>
        </FlexItem>
        <FlexItem>
          <Button
            variant="link"
            onClick={() => {
              setDraft(undefined);
              setConflict(undefined);
            }}
          >
            {t('common.cancel')}
          </Button>
        </FlexItem>
      </Flex>
    </>
  );
}
