/** Whether the browser tab is visible (document.visibilityState), following its changes. */
import { useEffect, useState } from 'react';

export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const follow = (): void => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', follow);
    follow();
    return () => document.removeEventListener('visibilitychange', follow);
  }, []);
  return visible;
}
