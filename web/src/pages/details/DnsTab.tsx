/**
 * DNS of a network: host records and TXT records, added and removed with
 * net-update (live on a running network); upstream forwarders, which
 * net-update cannot touch, edited in the stored definition and effective at
 * the next start; SRV records listed.
 */
import { Alert, Button, Card, CardBody, CardTitle, Content, Stack, StackItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useTranslation } from 'react-i18next';
import { parseIp } from '../../../../src/util/ip.js';
import { networksApi } from '../../api/networks.js';
import { errorMessage } from '../../api/http.js';
import { useToasts } from '../../app/toasts.js';
import { useStore, type NetworkRow } from '../../state/store.js';
import { element, escapeText, parseXml, serialize } from '../../model/xml.js';
import { InlineForm } from '../../components/InlineForm.js';
import { LiveNote } from './DhcpTab.js';
import { netUpdate } from './update.js';

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
  const store = useStore();
  const { info, model } = row;
  const dns = model?.dns;

  const update = async (command: 'add-last' | 'delete', section: 'dns-host' | 'dns-txt', xml: string, rethrow = false): Promise<void> => {
    try {
      await netUpdate(info, command, section, -1, xml);
    } catch (err) {
      if (rethrow) throw err;
      notify('danger', t('dns.changeFailed'), errorMessage(err));
    } finally {
      void store.refreshNetwork(info.name);
    }
  };

  const forwarders = async (edit: (dns: Element, doc: Document) => void, rethrow = false): Promise<void> => {
    try {
      await editForwarders(info.name, edit);
      if (info.active) notify('info', t('dns.forwardersNextStart'));
    } catch (err) {
      if (rethrow) throw err;
      notify('danger', t('dns.changeFailed'), errorMessage(err));
    } finally {
      void store.refreshNetwork(info.name);
    }
  };

  const ipCheck = (v: string): string | undefined => (parseIp(v) ? undefined : t('dns.badIp'));
  const namesCheck = (v: string): string | undefined => (v.split(/[\s,]+/).filter(Boolean).every((n) => HOSTNAME.test(n)) ? undefined : t('dns.badHostname'));

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
            {(dns?.hosts.length ?? 0) === 0 ? (
              <Content component="p">{t('dns.noHosts')}</Content>
            ) : (
              <Table aria-label={t('dns.hosts')} variant="compact" data-testid="dns-hosts">
                <Thead>
                  <Tr>
                    <Th>{t('dns.ip')}</Th>
                    <Th>{t('dns.hostnames')}</Th>
                    <Th screenReaderText={t('common.actions')} />
                  </Tr>
                </Thead>
                <Tbody>
                  {dns?.hosts.map((h) => (
                    <Tr key={h.ip}>
                      <Td dataLabel={t('dns.ip')} className="vn-mono">
                        {h.ip}
                      </Td>
                      <Td dataLabel={t('dns.hostnames')}>{h.hostnames.join(', ')}</Td>
                      <Td isActionCell>
                        <Button
                          variant="link"
                          isDanger
                          aria-label={t('dns.removeHostNamed', { ip: h.ip })}
                          onClick={() => void update('delete', 'dns-host', element('host', { ip: h.ip }, h.hostnames.map((n) => `<hostname>${escapeText(n)}</hostname>`).join('')))}
                        >
                          {t('common.remove')}
                        </Button>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
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
            {(dns?.forwarders.length ?? 0) === 0 ? (
              <Content component="p">{t('dns.noForwarders')}</Content>
            ) : (
              <Table aria-label={t('dns.forwarders')} variant="compact" data-testid="dns-forwarders">
                <Thead>
                  <Tr>
                    <Th>{t('dns.forwarderAddr')}</Th>
                    <Th>{t('dns.forwarderDomain')}</Th>
                    <Th screenReaderText={t('common.actions')} />
                  </Tr>
                </Thead>
                <Tbody>
                  {dns?.forwarders.map((f, i) => (
                    <Tr key={`${f.addr ?? ''}-${f.domain ?? ''}-${i}`}>
                      <Td dataLabel={t('dns.forwarderAddr')} className="vn-mono">
                        {f.addr ?? '—'}
                      </Td>
                      <Td dataLabel={t('dns.forwarderDomain')}>{f.domain ?? t('dns.allDomains')}</Td>
                      <Td isActionCell>
                        <Button
                          variant="link"
                          isDanger
                          isDisabled={!info.persistent}
                          aria-label={t('dns.removeForwarderNamed', { what: f.addr ?? f.domain ?? '' })}
                          onClick={() =>
                            void forwarders((d) => {
                              const match = Array.from(d.children).find((c) => c.tagName === 'forwarder' && (c.getAttribute('addr') ?? undefined) === f.addr && (c.getAttribute('domain') ?? undefined) === f.domain);
                              if (match) d.removeChild(match);
                            })
                          }
                        >
                          {t('common.remove')}
                        </Button>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
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
            {(dns?.txts.length ?? 0) === 0 ? (
              <Content component="p">{t('dns.noTxt')}</Content>
            ) : (
              <Table aria-label={t('dns.txt')} variant="compact">
                <Thead>
                  <Tr>
                    <Th>{t('dns.txtName')}</Th>
                    <Th>{t('dns.txtValue')}</Th>
                    <Th screenReaderText={t('common.actions')} />
                  </Tr>
                </Thead>
                <Tbody>
                  {dns?.txts.map((x) => (
                    <Tr key={x.name}>
                      <Td dataLabel={t('dns.txtName')}>{x.name}</Td>
                      <Td dataLabel={t('dns.txtValue')}>{x.value ?? ''}</Td>
                      <Td isActionCell>
                        <Button variant="link" isDanger aria-label={t('dns.removeTxtNamed', { name: x.name })} onClick={() => void update('delete', 'dns-txt', element('txt', { name: x.name, value: x.value }))}>
                          {t('common.remove')}
                        </Button>
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
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
                <Table aria-label={t('dns.srv')} variant="compact">
                  <Thead>
                    <Tr>
                      <Th>{t('dns.srvService')}</Th>
                      <Th>{t('dns.srvTarget')}</Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {dns?.srvs.map((s, i) => (
                      <Tr key={i}>
                        <Td dataLabel={t('dns.srvService')}>{`_${s.service ?? ''}._${s.protocol ?? ''}${s.domain ? `.${s.domain}` : ''}`}</Td>
                        <Td dataLabel={t('dns.srvTarget')}>{s.target ? `${s.target}:${s.port ?? ''}` : '—'}</Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              </>
            )}
          </CardBody>
        </Card>
      </StackItem>
    </Stack>
  );
}
