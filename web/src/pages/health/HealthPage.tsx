/**
 * The Health panel: `virtnet doctor` in the console. virtnetd's host checks
 * for its running networks, one row per finding (status, stable code, what
 * was found, the fix), checked again on demand; the reversible fixes applied
 * after a confirmation, and taken back. Titles, evidence and fixes come as
 * phrases (src/contract/phrase.ts), said in the console's language as the CLI says them.
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Content, Label, PageSection, Spinner, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import type { DoctorReport } from '../../../../src/contract/doctor-api.js';
import { type CheckResult, saidFinding } from '../../../../src/doctor/checks.js';
import { client } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import { sayInLanguage } from '../../i18n/phrases.js';
import { useToasts } from '../../app/toasts.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { ConfirmModal } from '../../components/ConfirmModal.js';

const COLOR = { ok: 'green', warn: 'orange', fail: 'red', skip: 'grey' } as const;

export default function HealthPage() {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const [report, setReport] = useState<DoctorReport | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirmFix, setConfirmFix] = useState(false);

  const run = useCallback(
    async (step: () => Promise<DoctorReport>): Promise<void> => {
      setBusy(true);
      try {
        setReport(await step());
      } catch (e) {
        notify('danger', t('health.failed'), errorMessage(e));
      } finally {
        setBusy(false);
      }
    },
    [notify, t],
  );

  useEffect(() => {
    void run(() => client.doctorReport());
  }, [run]);

  const fix = (): Promise<void> =>
    run(async () => {
      const r = await client.doctorFix();
      notify('success', r.applied.length === 0 ? t('health.nothingToFix') : t('health.fixed', { count: r.applied.length }));
      return r.report;
    });
  const undo = (): Promise<void> =>
    run(async () => {
      const r = await client.doctorUndo();
      notify('success', t('health.undone', { count: r.undone.length }));
      return client.doctorReport();
    });

  const columns: Column<CheckResult>[] = [
    { label: t('health.columns.status'), cell: (r) => <Label color={COLOR[r.status]}>{t(`health.status.${r.status}`)}</Label> },
    { label: t('health.columns.code'), mono: true, cell: (r) => r.code },
    { label: t('health.columns.check'), cell: (r) => saidFinding(r, sayInLanguage).title },
    { label: t('health.columns.evidence'), cell: (r) => saidFinding(r, sayInLanguage).evidence },
    { label: t('health.columns.fix'), cell: (r) => (r.status === 'ok' ? '' : (saidFinding(r, sayInLanguage).fix ?? '')) },
  ];
  const failing = report?.findings.some((f) => f.status === 'fail' || f.status === 'warn') === true;

  return (
    <PageSection>
      <Title headingLevel="h1">{t('health.title')}</Title>
      <Content component="p">{t('health.intro')}</Content>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => void run(() => client.doctorReport())} isDisabled={busy}>
              {t('health.rerun')}
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="primary" onClick={() => setConfirmFix(true)} isDisabled={busy || !failing}>
              {t('health.fix')}
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => void undo()} isDisabled={busy || (report?.fixesRecorded.length ?? 0) === 0}>
              {t('health.undo', { count: report?.fixesRecorded.length ?? 0 })}
            </Button>
          </ToolbarItem>
          {busy && (
            <ToolbarItem>
              <Spinner size="md" aria-label={t('common.loading')} />
            </ToolbarItem>
          )}
        </ToolbarContent>
      </Toolbar>
      {report && (
        <DataTable
          ariaLabel={t('health.title')}
          columns={columns}
          rows={report.findings}
          rowKey={(r, i) => `${r.code}-${i}`}
          testId="health-findings"
          rowTestId={(r) => `finding-${r.code}`}
        />
      )}
      {confirmFix && (
        <ConfirmModal
          titleId="health-fix-title"
          title={t('health.confirmTitle')}
          confirmLabel={t('health.fix')}
          confirmVariant="warning"
          onConfirm={() => {
            setConfirmFix(false);
            void fix();
          }}
          onClose={() => setConfirmFix(false)}
        >
          {t('health.confirmBody')}
        </ConfirmModal>
      )}
    </PageSection>
  );
}
