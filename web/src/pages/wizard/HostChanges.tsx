/**
 * The wizard summary's "What changes on the host": the daemon's dry run of
 * creating the network (net-create --dry-run of the wizard's XML), which
 * makes the checks a start makes and changes nothing. Links, sysctls, the
 * nftables batch with nft -c's verdict, dnsmasq's files and process, each
 * in a block of its own; the daemon's refusal instead when the start would
 * fail. Only when the network is to be started: a definition alone changes
 * nothing on the host.
 */
import { useEffect, useState } from 'react';
import { Alert, CodeBlock, CodeBlockCode, Content, ExpandableSection, Spinner, Title } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { changesNothing, type HostChanges } from '../../../../src/contract/host-changes.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';

function Block({ title, lines, testId }: { title: string; lines: readonly string[]; testId: string }) {
  if (lines.length === 0) return null;
  return (
    <>
      <Title headingLevel="h4" className="pf-v6-u-mt-sm">
        {title}
      </Title>
      <CodeBlock data-testid={testId}>
        <CodeBlockCode className="vn-pre">{lines.join('\n')}</CodeBlockCode>
      </CodeBlock>
    </>
  );
}

export interface HostChangesState {
  changes?: HostChanges;
  error?: string;
}

/**
 * The dry run of creating `xml`, asked again when the XML changes while
 * `enabled` (the summary is shown and the network is to be started). Held by
 * the wizard, so the summary's redraws do not ask again.
 */
export function useHostChanges(xml: string, enabled: boolean): HostChangesState {
  const [state, setState] = useState<HostChangesState>({});
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    setState({});
    client.dryRun({ action: 'create', xml }).then(
      (changes) => live && setState({ changes }),
      (err: unknown) => live && setState({ error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [xml, enabled]);
  return state;
}

export function HostChangesView({ start, changes, error }: HostChangesState & { start: boolean }) {
  const { t } = useTranslation();
  const [filesOpen, setFilesOpen] = useState(false);

  return (
    <section aria-label={t('hostChanges.title')} data-testid="host-changes">
      <Title headingLevel="h3" className="pf-v6-u-mt-md">
        {t('hostChanges.title')}
      </Title>
      {!start && <Content component="p">{t('hostChanges.defineOnly')}</Content>}
      {start && !changes && !error && <Spinner size="md" aria-label={t('common.loading')} />}
      {error && <Alert variant="warning" isInline isPlain title={t('hostChanges.refused', { error })} variantLabel={t('common.alert.warning')} />}
      {changes && changesNothing(changes) && <Content component="p">{t('hostChanges.nothing')}</Content>}
      {changes && (
        <>
          <Block title={t('hostChanges.links')} lines={changes.links} testId="host-changes-links" />
          <Block
            title={t('hostChanges.sysctls')}
            lines={changes.sysctls.map(
              (s) => `${s.key} = ${s.value}${s.now !== undefined && s.now !== s.value ? `  (${t('hostChanges.now', { value: s.now })})` : ''}`,
            )}
            testId="host-changes-sysctls"
          />
          <Block
            title={t('hostChanges.nftables', { check: changes.nftCheck ?? t('hostChanges.unchecked') })}
            lines={changes.nftables}
            testId="host-changes-nftables"
          />
          <Block title={t('hostChanges.processes')} lines={changes.processes} testId="host-changes-processes" />
          {changes.files.length > 0 && (
            <ExpandableSection
              toggleText={t('hostChanges.files', { count: changes.files.length })}
              isExpanded={filesOpen}
              onToggle={(_e, open) => setFilesOpen(open)}
              className="pf-v6-u-mt-sm"
            >
              {changes.files.map((f) => (
                <Block
                  key={f.path}
                  title={f.path}
                  lines={f.content === '' ? [t('hostChanges.empty')] : f.content.replace(/\n$/, '').split('\n')}
                  testId="host-changes-file"
                />
              ))}
            </ExpandableSection>
          )}
        </>
      )}
    </section>
  );
}
