/**
 * DNS of a network: host records and TXT records, added and removed with
 * net-update (live on a running network); upstream forwarders, which
 * net-update cannot touch, edited in the stored definition and effective at
 * the next start; SRV records listed.
 */
import { Alert, Card, CardBody, CardTitle, Content, Stack, StackItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { parseIp } from '../../../../src/util/ip.js';
import { networksApi } from '../../api/networks.js';
import { useToasts } from '../../app/toasts.js';
import type { NetworkRow } from '../../state/store.js';
import { element, escapeText, parseXml, serialize } from '../../model/xml.js';
import { InlineForm } from '../../components/InlineForm.js';
import { DataTable } from '../../components/DataTable.js';
import { RemoveButton } from '../../components/RemoveButton.js';
import { LiveNote } from './DhcpTab.js';
import { netUpdate } from './update.js';
import { useNetworkChange } from './useNetworkChange.js';

const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Add or remove one <forwarder> in the stored definition (net-define). */
async function editForwarders(name: string, edit: (dns: Element, doc: Document) => void): Promise<void> {
  const xml = await networksApi.xml(name, true);
  const { doc } = parseXml(xml);
  if (!doc) throw new Error('XML error');
  const root = doc.documentElement;
  let dns = Array.from(root.children).find((c) => c.tagName === 'dns');
  if (!dns) {
    dns = doc.createElement('dns');
    const ip = Array.from(root.children).find((c) => c.tagName === 'ip');
    root.insertBefore(dns, ip ?? null);
  }
  edit(dns, doc);
  await networksApi.define(serialize(root));
}

export function DnsTab({ row }: { row: NetworkRow }) {
  const { t } = useTranslation();
  const { notify } = useToasts();
  const { info, model } = row;
  const dns = model?.dns;
  const run = useNetworkChange(info.name);

  const update = (command: 'add-last' | 'delete', section: 'dns-host' | 'dns-txt', xml: string, rethrow = false): Promise<void> =>
    run(() => netUpdate(info, command, section, -1, xml), t('dns.changeFailed'), rethrow);

  const forwarders = (edit: (dns: Element, doc: Document) => void, rethrow = false): Promise<void> =>
    run(
      async () => {
        await editForwarders(info.name, edit);
        if (info.active) notify('info', t('dns.forwardersNextStart'));
      },
      t('dns.changeFailed'),
      rethrow,
    );

  const ipCheck = (v: string): string | undefined => (parseIp(v) ? undefined : t('dns.badIp'));
  const namesCheck = (v: string): string | undefined =>
    v
      .split(/[\s,]+/)
      .filter(Boolean)
      .every((n) => HOSTNAME.test(n))
      ? undefined
      : t('dns.badHostname');

  return (
    <Stack hasGutter>
      <StackItem>
        <LiveNote row={row} />
      </StackItem>
      {model?.dns.enable === 'no' && (
        <StackItem>
          <Alert variant="warning" isInline title={t('dns.disabled')} />
        </StackItem>
      )}
      <StackItem>
        <Card>
          <CardTitle component="h2">{t('dns.hosts')}</CardTitle>
          <CardBody>
            <DataTable
              ariaLabel={t('dns.hosts')}
              testId="dns-hosts"
              emptyText={t('dns.noHosts')}
              rows={dns?.hosts ?? []}
              rowKey={(h) => h.ip}
              columns={[
                { label: t('dns.ip'), mono: true, cell: (h) => h.ip },
                { label: t('dns.hostnames'), cell: (h) => h.hostnames.join(', ') },
              ]}
              action={(h) => (
                <RemoveButton
                  label={t('dns.removeHostNamed', { ip: h.ip })}
                  onClick={() =>
                    void update(
                      'delete',
                      'dns-host',
                      element('host', { ip: h.ip }, h.hostnames.map((n) => `<hostname>${escapeText(n)}</hostname>`).join('')),
                    )
                  }
                />
              )}
            />
            <InlineForm
              ariaLabel={t('dns.addHost')}
              submitLabel={t('dns.addHost')}
              fields={[
                { id: 'dns-host-ip', label: t('dns.ip'), required: true, check: ipCheck },
                { id: 'dns-host-names', label: t('dns.hostnamesHint'), required: true, check: namesCheck },
              ]}
              onSubmit={(v) =>
                update(
                  'add-last',
                  'dns-host',
                  element(
                    'host',
                    { ip: v['dns-host-ip'] },
                    (v['dns-host-names'] ?? '')
                      .split(/[\s,]+/)
                      .filter(Boolean)
                      .map((n) => `<hostname>${escapeText(n)}</hostname>`)
                      .join(''),
                  ),
                  true,
                )
              }
            />
          </CardBody>
        </Card>
      </StackItem>
      <StackItem>
        <Card>
          <CardTitle component="h2">{t('dns.forwarders')}</CardTitle>
          <CardBody>
            <Content component="p">{info.active ? t('dns.forwardersHelpActive') : t('dns.forwardersHelp')}</Content>
            <DataTable
              ariaLabel={t('dns.forwarders')}
              testId="dns-forwarders"
              emptyText={t('dns.noForwarders')}
              rows={dns?.forwarders ?? []}
              rowKey={(f, i) => `${f.addr ?? ''}-${f.domain ?? ''}-${i}`}
              columns={[
                { label: t('dns.forwarderAddr'), mono: true, cell: (f) => f.addr ?? '—' },
                { label: t('dns.forwarderDomain'), cell: (f) => f.domain ?? t('dns.allDomains') },
              ]}
              action={(f) => (
                <RemoveButton
                  isDisabled={!info.persistent}
                  label={t('dns.removeForwarderNamed', { what: f.addr ?? f.domain ?? '' })}
                  onClick={() =>
                    void forwarders((d) => {
                      const match = Array.from(d.children).find(
                        (c) =>
                          c.tagName === 'forwarder' &&
                          (c.getAttribute('addr') ?? undefined) === f.addr &&
                          (c.getAttribute('domain') ?? undefined) === f.domain,
                      );
                      if (match) d.removeChild(match);
                    })
                  }
                />
              )}
            />
            {info.persistent ? (
              <InlineForm
                ariaLabel={t('dns.addForwarder')}
                submitLabel={t('dns.addForwarder')}
                fields={[
                  { id: 'fwd-addr', label: t('dns.forwarderAddr'), required: true, check: ipCheck },
                  { id: 'fwd-domain', label: t('dns.forwarderDomainOptional'), check: namesCheck },
                ]}
                onSubmit={(v) =>
                  forwarders((d, doc) => {
                    const f = doc.createElement('forwarder');
                    if (v['fwd-domain']) f.setAttribute('domain', v['fwd-domain']);
                    f.setAttribute('addr', v['fwd-addr'] ?? '');
                    const before = Array.from(d.children).find((c) => c.tagName !== 'forwarder');
                    d.insertBefore(f, before ?? null);
                  }, true)
                }
              />
            ) : (
              <Content component="p">{t('dns.transientForwarders')}</Content>
            )}
          </CardBody>
        </Card>
      </StackItem>
      <StackItem>
        <Card>
          <CardTitle component="h2">{t('dns.txt')}</CardTitle>
          <CardBody>
            <DataTable
              ariaLabel={t('dns.txt')}
              emptyText={t('dns.noTxt')}
              rows={dns?.txts ?? []}
              rowKey={(x) => x.name}
              columns={[
                { label: t('dns.txtName'), cell: (x) => x.name },
                { label: t('dns.txtValue'), cell: (x) => x.value ?? '' },
              ]}
              action={(x) => (
                <RemoveButton
                  label={t('dns.removeTxtNamed', { name: x.name })}
                  onClick={() => void update('delete', 'dns-txt', element('txt', { name: x.name, value: x.value }))}
                />
              )}
            />
            <InlineForm
              ariaLabel={t('dns.addTxt')}
              submitLabel={t('dns.addTxt')}
              fields={[
                { id: 'txt-name', label: t('dns.txtName'), required: true, check: namesCheck },
                { id: 'txt-value', label: t('dns.txtValue'), required: true },
              ]}
              onSubmit={(v) => update('add-last', 'dns-txt', element('txt', { name: v['txt-name'], value: v['txt-value'] }), true)}
            />
            {(dns?.srvs.length ?? 0) > 0 && (
              <>
                <Content component="h3" className="pf-v6-u-mt-md">
                  {t('dns.srv')}
                </Content>
                <DataTable
                  ariaLabel={t('dns.srv')}
                  rows={dns?.srvs ?? []}
                  rowKey={(_s, i) => i}
                  columns={[
                    { label: t('dns.srvService'), cell: (s) => `_${s.service ?? ''}._${s.protocol ?? ''}${s.domain ? `.${s.domain}` : ''}` },
                    { label: t('dns.srvTarget'), cell: (s) => (s.target ? `${s.target}:${s.port ?? ''}` : '—') },
                  ]}
                />
              </>
            )}
          </CardBody>
        </Card>
      </StackItem>
    </Stack>
  );
}
