/**
 * Toast notifications for row actions and live events: a failure shows the
 * daemon's message (libvirt's text) as it came, a success a short line.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Alert, AlertActionCloseButton, AlertGroup } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';

type Variant = 'success' | 'danger' | 'warning' | 'info';
interface Toast {
  id: number;
  variant: Variant;
  title: string;
  body?: string;
}

interface ToastApi {
  notify(variant: Variant, title: string, body?: string): void;
}

const ToastContext = createContext<ToastApi>({ notify: () => {} });

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((x) => x.id !== id)), []);
  const notify = useCallback(
    (variant: Variant, title: string, body?: string) => {
      const id = nextId++;
      setToasts((all) => [...all.slice(-4), { id, variant, title, ...(body !== undefined ? { body } : {}) }]);
      // Failures stay longer, to be read; none stays for good over the page's buttons.
      setTimeout(() => dismiss(id), variant === 'success' || variant === 'info' ? 6000 : 30000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ notify }), [notify]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <AlertGroup isToast isLiveRegion>
        {toasts.map((toast) => (
          <Alert
            key={toast.id}
            variant={toast.variant}
            title={toast.title}
            data-testid="toast"
            variantLabel={t(`common.alert.${toast.variant}`)}
            actionClose={<AlertActionCloseButton aria-label={t('common.closeNotification')} onClose={() => dismiss(toast.id)} />}
          >
            {toast.body}
          </Alert>
        ))}
      </AlertGroup>
    </ToastContext.Provider>
  );
}

export function useToasts(): ToastApi {
  return useContext(ToastContext);
}
