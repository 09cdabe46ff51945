/** A row's "more actions" menu: a labelled kebab toggle and its items (keyboard: Enter/Space, arrows, Escape). */
import { useState } from 'react';
import { Dropdown, DropdownItem, DropdownList, MenuToggle } from '@patternfly/react-core';
import EllipsisVIcon from '@patternfly/react-icons/dist/esm/icons/ellipsis-v-icon.js';

export interface KebabItem {
  key: string;
  label: string;
  onClick: () => void;
  isDanger?: boolean;
  isDisabled?: boolean;
  description?: string;
}

export function KebabMenu({ label, items }: { label: string; items: KebabItem[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Dropdown
      isOpen={open}
      onOpenChange={setOpen}
      onSelect={() => setOpen(false)}
      popperProps={{ position: 'right' }}
      toggle={(ref) => (
        <MenuToggle ref={ref} variant="plain" aria-label={label} isExpanded={open} onClick={() => setOpen(!open)} icon={<EllipsisVIcon />} />
      )}
    >
      <DropdownList>
        {items.map((item) => (
          <DropdownItem
            key={item.key}
            onClick={item.onClick}
            isDanger={item.isDanger === true}
            isDisabled={item.isDisabled === true}
            description={item.description}
          >
            {item.label}
          </DropdownItem>
        ))}
      </DropdownList>
    </Dropdown>
  );
}
