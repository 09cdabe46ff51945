/**
 * A small warning dialog asking to confirm one action (delete or stop a
 * network, remove a vNIC): the title, the caller's body, the confirm button
 * and Cancel. `busy` is given only by dialogs that run the action themselves
 * and stay open meanwhile; the others close at once and leave the button plain.
 */
import type { ReactNode } from 'react';
import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { CloseButton } from './CloseButton.js';

export interface ConfirmModalProps {
  /** id of the title, for aria-labelledby. */
  titleId: string;
  title: string;
  /** id of the body, for aria-describedby (left out when not given). */
  bodyId?: string;
  confirmLabel: string;
  confirmVariant: 'danger' | 'warning';
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  children: ReactNode;
}

export function ConfirmModal({ titleId, title, bodyId, confirmLabel, confirmVariant, onConfirm, onClose, busy, children }: ConfirmModalProps) {
  const { t } = useTranslation();
  const busyProps = busy === undefined ? {} : { isLoading: busy, isDisabled: busy };
  return (
    <Modal isOpen variant="small" onEscapePress={onClose} aria-labelledby={titleId} aria-describedby={bodyId}>
      <ModalHeader
        title={title}
        labelId={titleId}
        titleIconVariant="warning"
        titleScreenReaderText={t('common.alert.warning')}
        help={<CloseButton onClick={onClose} />}
      />
      <ModalBody id={bodyId}>{children}</ModalBody>
      <ModalFooter>
        <Button variant={confirmVariant} onClick={onConfirm} {...busyProps}>
          {confirmLabel}
        </Button>
        <Button variant="link" onClick={onClose}>
          {t('common.cancel')}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
