/**
 * "Create virtual network", in virt-manager's four steps — name (with
 * virtnet's "where": this host, or across hosts in OVN), IPv4, IPv6,
 * forward mode and DNS domain — then a summary with the generated XML and
 * the equivalent virtnet commands, one per line, with a copy button, and
 * what starting it changes on the host (HostChanges.tsx, a dry run). Each
 * step's checks run as you type (model/wizard.ts) and hold its Next button
 * while any fails. What is typed is kept in the tab's session storage
 * (draft.ts), so a reload opens the wizard again where it was. Finish
 * defines, starts and autostarts the network, each step based on the
 * version the previous one left; if a step fails, what was done is undone
 * and the daemon's message is shown.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  ClipboardCopyButton,
  CodeBlock,
  CodeBlockCode,
  Content,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Modal,
  Radio,
  TextInput,
  Title,
  Wizard,
  WizardHeader,
  WizardStep,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { tDynamic } from '../../i18n/index.js';
import { HostChangesView, useHostChanges } from './HostChanges.js';

/** The summary's index among the wizard's steps (onStepChange's, 1-based). */
const SUMMARY_STEP = 5;
import { client } from '../../api/client.js';
import { errorMessage } from '../../i18n/errors.js';
import { clearDraft, saveDraft, type WizardDraft } from './draft.js';
import { useToasts } from '../../app/toasts.js';
import { useStore } from '../../state/store.js';
import { FieldFindings, validatedOf } from '../../components/FieldFindings.js';
import {
  FORWARD_MODES,
  OVN_MODES,
  buildNetworkXml,
  checkWizard,
  equivalentCommands,
  initialState,
  withNetwork,
  xmlFileName,
  type Finding,
  type IpSettings,
  type OtherNetwork,
  type Step,
  type WhereSettings,
  type WizardState,
} from '../../model/wizard.js';

export default function CreateNetworkWizard({ onClose, restored }: { onClose: () => void; restored?: WizardDraft }) {
  const { t } = useTranslation();
  const store = useStore();
  const { notify } = useToasts();
  const others: OtherNetwork[] = useMemo(
    () => store.networks.map((n) => ({ name: n.info.name, active: n.info.active, ...(n.info.bridge ? { bridge: n.info.bridge } : {}), def: n.def })),
    [store.networks],
  );
  const [state, setState] = useState<WizardState>(() => restored?.state ?? initialState(others, store.host));
  const [step, setStep] = useState(restored?.step ?? 1);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; rolledBack: boolean }>();

  // Kept as it is typed: a reload brings it back (draft.ts).
  useEffect(() => saveDraft({ state, step }), [state, step]);
  const close = (): void => {
    clearDraft();
    onClose();
  };
  // PatternFly's wizard names its (small-screen) step toggle in English only and takes no label for it:
  // name it whenever the wizard (drawn later, in the dialog's portal) puts it there or back.
  const toggleLabel = t('wizard.toggle');
  useEffect(() => {
    const name = (): void => {
      const toggle = document.querySelector('.pf-v6-c-wizard__toggle');
      if (toggle && toggle.getAttribute('aria-label') !== toggleLabel) toggle.setAttribute('aria-label', toggleLabel);
    };
    const watch = new MutationObserver(name);
    watch.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
    name();
    return () => watch.disconnect();
  }, [toggleLabel]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: host facts are read once when the wizard opens; the suggestion is made from what was known then
  useEffect(() => {
    void store.refreshHost();
  }, []);

  const findings = useMemo(() => checkWizard(state, others, store.host), [state, others, store.host]);
  const at = (step: Step, field: string): Finding[] => findings.filter((f) => f.step === step && f.field === field);
  const blocked = (step: Step): boolean => findings.some((f) => f.step === step && !f.warning);
  const xml = useMemo(() => buildNetworkXml(state), [state]);
  const commands = useMemo(() => equivalentCommands(state).join('\n'), [state]);
  const hostChanges = useHostChanges(xml, state.start && step === SUMMARY_STEP);
  const [copied, setCopied] = useState<'xml' | 'commands'>();
  const copy = (what: 'xml' | 'commands', text: string): void => {
    void navigator.clipboard?.writeText(text).then(() => setCopied(what));
  };

  const networkNames = new Set(store.networks.map((n) => n.info.bridge).filter((b): b is string => b !== undefined));
  const hostDevices = (store.host?.interfaces ?? []).filter(
    (i) => i.name !== 'lo' && i.kind !== 'tun' && i.master === undefined && !networkNames.has(i.name) && !/^vnet\d+$/.test(i.name),
  );
  const hostBridges = (store.host?.interfaces ?? []).filter((i) => i.kind === 'bridge' && !networkNames.has(i.name));

  const set = (patch: Partial<WizardState>): void => setState((s) => ({ ...s, ...patch }));
  const setIp = (family: 'ipv4' | 'ipv6', patch: Partial<IpSettings>): void => setState((s) => ({ ...s, [family]: { ...s[family], ...patch } }));
  const setWhere = (patch: Partial<WhereSettings>): void => setState((s) => ({ ...s, where: { ...s.where, ...patch } }));
  const ovn = state.where.kind === 'ovn';
  const modes = ovn ? OVN_MODES : FORWARD_MODES;

  const finish = async (): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    const name = state.name;
    let defined = false;
    let started = false;
    try {
      await client.define(xml);
      defined = true;
      // Each next step is based on the version the previous one left.
      if (state.start) {
        await client.start(name, { ifMatch: await client.versionOf(name) });
        started = true;
      }
      if (state.autostart) await client.setAutostart(name, true, { ifMatch: await client.versionOf(name) });
      void store.refreshNetwork(name);
      notify('success', t('wizard.created', { name }));
      close();
    } catch (err) {
      let rolledBack = !defined;
      if (defined) {
        try {
          // Undoing what this wizard made moments ago: no version to respect.
          if (started) await client.destroy(name);
          await client.undefine(name);
          rolledBack = true;
        } catch {
          rolledBack = false;
        }
        void store.refreshNetwork(name);
      }
      setFailure({ message: errorMessage(err), rolledBack });
    } finally {
      setBusy(false);
    }
  };

  const footer = (step: Step | 'summary') => ({
    nextButtonText: step === 'summary' ? t('wizard.finish') : t('wizard.next'),
    backButtonText: t('wizard.back'),
    cancelButtonText: t('common.cancel'),
    isNextDisabled: step === 'summary' ? busy || findings.some((f) => !f.warning) : blocked(step),
    ...(step === 'summary' ? { nextButtonProps: { isLoading: busy } } : {}),
  });

  /** What each step takes from its key: id, name, its content's label, footer and (but the summary) status. */
  const stepProps = (step: Step | 'summary') => ({
    id: `step-${step}`,
    name: t(`wizard.steps.${step}`),
    body: { 'aria-label': t('wizard.stepContent', { step: t(`wizard.steps.${step}`) }) },
    footer: footer(step),
    ...(step === 'summary' ? {} : { status: blocked(step) ? ('error' as const) : ('default' as const) }),
  });

  const ipStep = (family: 'ipv4' | 'ipv6') => {
    const s = state[family];
    const label = family === 'ipv4' ? 'IPv4' : 'IPv6';
    const ovnV6 = family === 'ipv6' && ovn;
    const disabled = state.forward.mode === 'bridge' || ovnV6;
    return (
      <Form onSubmit={(e) => e.preventDefault()}>
        <Title headingLevel="h2">{t('wizard.ipTitle', { family: label })}</Title>
        {state.forward.mode === 'bridge' && (
          <Alert variant="info" isInline isPlain title={t('wizard.ipUnusedInBridge')} variantLabel={t('common.alert.info')} />
        )}
        {ovnV6 && <Alert variant="info" isInline isPlain title={t('check.ovnIpv6')} variantLabel={t('common.alert.info')} />}
        <Checkbox
          id={`${family}-enabled`}
          label={t('wizard.ipEnable', { family: label })}
          isChecked={s.enabled}
          isDisabled={disabled}
          onChange={(_e, v) => setIp(family, { enabled: v })}
        />
        {s.enabled && (
          <>
            <FormGroup label={t('wizard.ipNetwork')} isRequired fieldId={`${family}-network`}>
              <TextInput
                id={`${family}-network`}
                value={s.network}
                placeholder={family === 'ipv4' ? '192.168.100.0/24' : 'fd00:beef:10:6::/64'}
                validated={validatedOf(at(family, 'network'))}
                aria-describedby={`${family}-network-help`}
                onChange={(_e, v) => setState((st) => withNetwork(st, family, v))}
                isDisabled={disabled}
              />
              <FieldFindings id={`${family}-network-help`} findings={at(family, 'network')} hint={t('wizard.ipNetworkHint')} />
            </FormGroup>
            <FormGroup label={t('wizard.gateway')} isRequired fieldId={`${family}-gateway`}>
              <TextInput
                id={`${family}-gateway`}
                value={s.gateway}
                validated={validatedOf(at(family, 'gateway'))}
                onChange={(_e, v) => setIp(family, { gateway: v })}
                isDisabled={disabled}
              />
              <FieldFindings findings={at(family, 'gateway')} hint={t('wizard.gatewayHint')} />
            </FormGroup>
            <Checkbox
              id={`${family}-dhcp`}
              label={t('wizard.dhcpEnable', { family: family === 'ipv4' ? 'DHCPv4' : 'DHCPv6' })}
              isChecked={s.dhcp}
              isDisabled={disabled}
              onChange={(_e, v) => setIp(family, { dhcp: v })}
            />
            {s.dhcp && (
              <>
                <FormGroup label={t('wizard.dhcpStart')} isRequired fieldId={`${family}-start`}>
                  <TextInput
                    id={`${family}-start`}
                    value={s.start}
                    validated={validatedOf(at(family, 'start'))}
                    onChange={(_e, v) => setIp(family, { start: v })}
                    isDisabled={disabled}
                  />
                  <FieldFindings findings={at(family, 'start')} />
                </FormGroup>
                <FormGroup label={t('wizard.dhcpEnd')} isRequired fieldId={`${family}-end`}>
                  <TextInput
                    id={`${family}-end`}
                    value={s.end}
                    validated={validatedOf(at(family, 'end'))}
                    onChange={(_e, v) => setIp(family, { end: v })}
                    isDisabled={disabled}
                  />
                  <FieldFindings findings={at(family, 'end')} />
                </FormGroup>
              </>
            )}
          </>
        )}
      </Form>
    );
  };

  const modeText: Record<(typeof FORWARD_MODES)[number], { label: string; description: string }> = {
    nat: { label: t('wizard.mode.nat'), description: t('wizard.mode.natHelp') },
    route: { label: t('wizard.mode.route'), description: t('wizard.mode.routeHelp') },
    open: { label: t('wizard.mode.open'), description: t('wizard.mode.openHelp') },
    isolated: { label: t('wizard.mode.isolated'), description: t('wizard.mode.isolatedHelp') },
    bridge: { label: t('wizard.mode.bridge'), description: t('wizard.mode.bridgeHelp') },
  };

  const summaryRows: [string, string][] = [
    [t('wizard.summary.name'), state.name],
    [t('wizard.summary.where'), ovn ? `${t('wizard.where.ovn')}: ${state.where.northbound}` : t('wizard.where.host')],
    [
      t('wizard.summary.forward'),
      modeText[state.forward.mode].label +
        (state.forward.dev && (state.forward.mode === 'nat' || state.forward.mode === 'route')
          ? ` → ${state.forward.dev}`
          : state.forward.mode === 'bridge'
            ? ` → ${state.forward.bridge}`
            : ''),
    ],
    ...(state.forward.mode !== 'bridge'
      ? ([
          [
            'IPv4',
            state.ipv4.enabled ? t('wizard.summary.withGateway', { network: state.ipv4.network, gateway: state.ipv4.gateway }) : t('common.disabled'),
          ],
          ['DHCPv4', state.ipv4.enabled && state.ipv4.dhcp ? `${state.ipv4.start} – ${state.ipv4.end}` : t('common.disabled')],
          [
            'IPv6',
            state.ipv6.enabled ? t('wizard.summary.withGateway', { network: state.ipv6.network, gateway: state.ipv6.gateway }) : t('common.disabled'),
          ],
          ['DHCPv6', state.ipv6.enabled && state.ipv6.dhcp ? `${state.ipv6.start} – ${state.ipv6.end}` : t('common.disabled')],
          [
            t('wizard.summary.domain'),
            state.domain.mode === 'network' ? state.name : state.domain.mode === 'custom' ? state.domain.custom : t('common.none'),
          ],
        ] as [string, string][])
      : []),
  ];

  return (
    <Modal isOpen variant="large" aria-labelledby="create-network-title" onEscapePress={close} elementToFocus="#network-name">
      <Wizard
        height={640}
        navAriaLabel={t('wizard.steps.label')}
        onClose={close}
        onSave={() => void finish()}
        startIndex={step}
        onStepChange={(_e, current) => setStep(current.index)}
        header={
          <WizardHeader
            title={t('wizard.title')}
            titleId="create-network-title"
            description={t('wizard.description')}
            onClose={close}
            closeButtonAriaLabel={t('common.close')}
          />
        }
      >
        <WizardStep {...stepProps('name')}>
          <Form onSubmit={(e) => e.preventDefault()}>
            <Title headingLevel="h2">{t('wizard.steps.name')}</Title>
            <FormGroup label={t('wizard.name')} isRequired fieldId="network-name">
              <TextInput
                id="network-name"
                value={state.name}
                validated={validatedOf(at('name', 'name'))}
                onChange={(_e, v) => set({ name: v })}
                autoFocus
              />
              <FieldFindings findings={at('name', 'name')} hint={t('wizard.nameHint')} />
              {at('name', 'name').some((f) => f.key === 'nameNotDomain') && (
                <Button variant="link" isInline onClick={() => set({ domain: { ...state.domain, mode: 'none' } })}>
                  {t('wizard.domain.useNone')}
                </Button>
              )}
            </FormGroup>
            <FormGroup role="radiogroup" isStack label={t('wizard.where.label')} fieldId="where-kind">
              <Radio
                id="where-host"
                name="where-kind"
                label={t('wizard.where.host')}
                description={t('wizard.where.hostHelp')}
                isChecked={!ovn}
                onChange={() => setWhere({ kind: 'host' })}
              />
              <Radio
                id="where-ovn"
                name="where-kind"
                label={t('wizard.where.ovn')}
                description={t('wizard.where.ovnHelp')}
                isChecked={ovn}
                onChange={() =>
                  setState((s) => ({
                    ...s,
                    where: { ...s.where, kind: 'ovn' },
                    ipv6: { ...s.ipv6, enabled: false },
                    forward: { ...s.forward, mode: OVN_MODES.includes(s.forward.mode) ? s.forward.mode : 'nat' },
                  }))
                }
              />
            </FormGroup>
            {ovn && (
              <FormGroup label={t('wizard.where.northbound')} isRequired fieldId="ovn-northbound">
                <TextInput
                  id="ovn-northbound"
                  value={state.where.northbound}
                  placeholder="tcp:192.0.2.2:6641"
                  validated={validatedOf(at('name', 'northbound'))}
                  onChange={(_e, v) => setWhere({ northbound: v })}
                />
                <FieldFindings findings={at('name', 'northbound')} hint={t('wizard.where.northboundHint')} />
              </FormGroup>
            )}
          </Form>
        </WizardStep>
        <WizardStep {...stepProps('ipv4')}>{ipStep('ipv4')}</WizardStep>
        <WizardStep {...stepProps('ipv6')}>{ipStep('ipv6')}</WizardStep>
        <WizardStep {...stepProps('forward')}>
          <Form onSubmit={(e) => e.preventDefault()}>
            <Title headingLevel="h2">{t('wizard.steps.forward')}</Title>
            <FormGroup role="radiogroup" isStack label={t('wizard.mode.label')} fieldId="forward-mode">
              {modes.map((m) => (
                <Radio
                  key={m}
                  id={`mode-${m}`}
                  name="forward-mode"
                  label={modeText[m].label}
                  description={modeText[m].description}
                  isChecked={state.forward.mode === m}
                  onChange={() => set({ forward: { ...state.forward, mode: m } })}
                />
              ))}
            </FormGroup>
            {ovn && (state.forward.mode === 'nat' || state.forward.mode === 'route') && (
              <>
                <FormGroup label={t('wizard.ovn.uplinkNetwork')} isRequired fieldId="ovn-uplink-network">
                  <TextInput id="ovn-uplink-network" value={state.where.uplinkNetwork} onChange={(_e, v) => setWhere({ uplinkNetwork: v })} />
                  <FieldFindings findings={[]} hint={t('wizard.ovn.uplinkNetworkHint')} />
                </FormGroup>
                <FormGroup label={t('wizard.ovn.uplinkAddress')} isRequired fieldId="ovn-uplink-address">
                  <TextInput
                    id="ovn-uplink-address"
                    value={state.where.uplinkAddress}
                    placeholder="198.51.100.10/24"
                    validated={validatedOf(at('forward', 'uplinkAddress'))}
                    onChange={(_e, v) => setWhere({ uplinkAddress: v })}
                  />
                  <FieldFindings findings={at('forward', 'uplinkAddress')} hint={t('wizard.ovn.uplinkAddressHint')} />
                </FormGroup>
                <FormGroup label={t('wizard.ovn.uplinkGateway')} isRequired fieldId="ovn-uplink-gateway">
                  <TextInput
                    id="ovn-uplink-gateway"
                    value={state.where.uplinkGateway}
                    placeholder="198.51.100.1"
                    validated={validatedOf(at('forward', 'uplinkGateway'))}
                    onChange={(_e, v) => setWhere({ uplinkGateway: v })}
                  />
                  <FieldFindings findings={at('forward', 'uplinkGateway')} />
                </FormGroup>
                <FormGroup label={t('wizard.ovn.gateways')} isRequired fieldId="ovn-gateways">
                  <TextInput
                    id="ovn-gateways"
                    value={state.where.gateways}
                    placeholder="h1, h2"
                    validated={validatedOf(at('forward', 'gateways'))}
                    onChange={(_e, v) => setWhere({ gateways: v })}
                  />
                  <FieldFindings findings={at('forward', 'gateways')} hint={t('wizard.ovn.gatewaysHint')} />
                </FormGroup>
              </>
            )}
            {!ovn && (state.forward.mode === 'nat' || state.forward.mode === 'route') && (
              <FormGroup label={t('wizard.forwardDev')} fieldId="forward-dev">
                <FormSelect id="forward-dev" value={state.forward.dev} onChange={(_e, v) => set({ forward: { ...state.forward, dev: v } })}>
                  <FormSelectOption value="" label={t('wizard.anyDevice')} />
                  {hostDevices.map((i) => (
                    <FormSelectOption key={i.name} value={i.name} label={i.addresses.length ? `${i.name} (${i.addresses.join(', ')})` : i.name} />
                  ))}
                </FormSelect>
              </FormGroup>
            )}
            {state.forward.mode === 'bridge' && (
              <FormGroup label={t('wizard.hostBridge')} isRequired fieldId="forward-bridge">
                <FormSelect
                  id="forward-bridge"
                  value={state.forward.bridge}
                  validated={validatedOf(at('forward', 'bridge'))}
                  onChange={(_e, v) => set({ forward: { ...state.forward, bridge: v } })}
                >
                  <FormSelectOption value="" label={hostBridges.length ? t('wizard.chooseBridge') : t('wizard.noBridges')} isPlaceholder />
                  {hostBridges.map((i) => (
                    <FormSelectOption key={i.name} value={i.name} label={i.name} />
                  ))}
                </FormSelect>
                <FieldFindings findings={at('forward', 'bridge')} hint={t('wizard.hostBridgeHint')} />
              </FormGroup>
            )}
            {state.forward.mode !== 'bridge' && (
              <FormGroup role="radiogroup" isStack label={t('wizard.domain.label')} fieldId="domain-mode">
                <Radio
                  id="domain-network"
                  name="domain-mode"
                  label={t('wizard.domain.network', { name: state.name })}
                  isChecked={state.domain.mode === 'network'}
                  onChange={() => set({ domain: { ...state.domain, mode: 'network' } })}
                />
                <Radio
                  id="domain-custom"
                  name="domain-mode"
                  label={t('wizard.domain.custom')}
                  isChecked={state.domain.mode === 'custom'}
                  onChange={() => set({ domain: { ...state.domain, mode: 'custom' } })}
                  body={
                    state.domain.mode === 'custom' && (
                      <TextInput
                        id="domain-custom-name"
                        aria-label={t('wizard.domain.customName')}
                        value={state.domain.custom}
                        validated={validatedOf(at('forward', 'domain'))}
                        onChange={(_e, v) => set({ domain: { ...state.domain, custom: v } })}
                      />
                    )
                  }
                />
                <Radio
                  id="domain-none"
                  name="domain-mode"
                  label={t('wizard.domain.none')}
                  isChecked={state.domain.mode === 'none'}
                  onChange={() => set({ domain: { ...state.domain, mode: 'none' } })}
                />
                <FieldFindings findings={at('forward', 'domain')} />
              </FormGroup>
            )}
          </Form>
        </WizardStep>
        <WizardStep {...stepProps('summary')}>
          <Title headingLevel="h2">{t('wizard.steps.summary')}</Title>
          {restored && step === restored.step && (
            <Alert variant="info" isInline isPlain title={t('wizard.restored')} variantLabel={t('common.alert.info')} />
          )}
          {failure && (
            <Alert variant="danger" isInline title={t('wizard.failed')} variantLabel={t('common.alert.danger')} data-testid="wizard-error">
              <Content component="p">{failure.message}</Content>
              <Content component="p">{failure.rolledBack ? t('wizard.rolledBack') : t('wizard.notRolledBack')}</Content>
            </Alert>
          )}
          {findings
            .filter((f) => f.warning)
            .map((f, i) => (
              <Alert
                key={i}
                variant="warning"
                isInline
                isPlain
                title={tDynamic(t, `check.${f.key}`, f.values)}
                variantLabel={t('common.alert.warning')}
              />
            ))}
          <DescriptionList isHorizontal isCompact className="pf-v6-u-mt-md">
            {summaryRows.map(([k, v]) => (
              <DescriptionListGroup key={k}>
                <DescriptionListTerm>{k}</DescriptionListTerm>
                <DescriptionListDescription>{v}</DescriptionListDescription>
              </DescriptionListGroup>
            ))}
          </DescriptionList>
          <Form onSubmit={(e) => e.preventDefault()} className="pf-v6-u-mt-md">
            <Checkbox id="finish-start" label={t('wizard.startNow')} isChecked={state.start} onChange={(_e, v) => set({ start: v })} />
            <Checkbox id="finish-autostart" label={t('wizard.autostart')} isChecked={state.autostart} onChange={(_e, v) => set({ autostart: v })} />
          </Form>
          <HostChangesView start={state.start} {...hostChanges} />
          <Title headingLevel="h3" className="pf-v6-u-mt-md">
            {t('wizard.xmlFile', { file: xmlFileName(state) })}
          </Title>
          <CopyableCode
            buttonId="copy-xml"
            codeId="wizard-xml"
            copyLabel={t('wizard.copyXml')}
            text={xml}
            copied={copied === 'xml'}
            onCopy={() => copy('xml', xml)}
          />
          <Title headingLevel="h3" className="pf-v6-u-mt-md">
            {t('wizard.commands')}
          </Title>
          <CopyableCode
            buttonId="copy-commands"
            codeId="wizard-commands"
            copyLabel={t('wizard.copyCommands')}
            text={commands}
            copied={copied === 'commands'}
            onCopy={() => copy('commands', commands)}
          />
        </WizardStep>
      </Wizard>
    </Modal>
  );
}

interface CopyableCodeProps {
  buttonId: string;
  codeId: string;
  copyLabel: string;
  text: string;
  /** Whether `text` is what was copied last. */
  copied: boolean;
  onCopy: () => void;
}

/** A block of code the user can copy with one button. */
function CopyableCode({ buttonId, codeId, copyLabel, text, copied, onCopy }: CopyableCodeProps) {
  const { t } = useTranslation();
  return (
    <CodeBlock
      actions={
        <ClipboardCopyButton id={buttonId} aria-label={copyLabel} onClick={onCopy} exitDelay={copied ? 1500 : 600} variant="plain">
          {copied ? t('common.copied') : t('common.copy')}
        </ClipboardCopyButton>
      }
    >
      <CodeBlockCode id={codeId} className="vn-pre">
        {text}
      </CodeBlockCode>
    </CodeBlock>
  );
}
