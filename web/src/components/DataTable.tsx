/**
 * The console's compact record table: one header and one labelled cell per
 * column (monospace for addresses and MACs), an optional last cell of row
 * actions under a screen-reader-only "Actions" header, and, when the caller
 * gives one, a plain sentence in place of the table while there are no rows.
 * The DHCP, DNS and guest tables differ only in their columns.
 */
import type { ReactNode } from 'react';
import { Content } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useTranslation } from 'react-i18next';

export interface Column<R> {
  label: string;
  /** Addresses, MACs, device names: shown in the monospace font. */
  mono?: boolean;
  cell: (row: R) => ReactNode;
}

export interface DataTableProps<R> {
  ariaLabel: string;
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey: (row: R, index: number) => string | number;
  testId?: string;
  rowTestId?: (row: R) => string;
  /** The row's action cell (a Remove button, a Reserve button); no action column without it. */
  action?: (row: R) => ReactNode;
  /** Shown as a paragraph instead of an empty table. */
  emptyText?: string;
}

export function DataTable<R>({ ariaLabel, columns, rows, rowKey, testId, rowTestId, action, emptyText }: DataTableProps<R>) {
  const { t } = useTranslation();
  if (rows.length === 0 && emptyText !== undefined) return <Content component="p">{emptyText}</Content>;
  return (
    <Table aria-label={ariaLabel} variant="compact" data-testid={testId}>
      <Thead>
        <Tr>
          {columns.map((c, i) => (
            <Th key={i} modifier="wrap">
              {c.label}
            </Th>
          ))}
          {action && <Th screenReaderText={t('common.actions')} />}
        </Tr>
      </Thead>
      <Tbody>
        {rows.map((r, i) => (
          <Tr key={rowKey(r, i)} data-testid={rowTestId?.(r)}>
            {columns.map((c, j) => (
              <Td key={j} dataLabel={c.label} {...(c.mono ? { className: 'vn-mono' } : {})}>
                {c.cell(r)}
              </Td>
            ))}
            {action && <Td isActionCell>{action(r)}</Td>}
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
