/**
 * What the creation wizard holds, kept in the tab's session storage as it
 * is typed, so reloading the page mid-wizard opens it again where it was,
 * with what was typed. Finishing or cancelling forgets it.
 */
import type { WizardState } from '../../model/wizard.js';

const KEY = 'virtnet.wizard';

export interface WizardDraft {
  state: WizardState;
  /** The step shown (1-based, as PatternFly's wizard counts). */
  step: number;
}

export function loadDraft(): WizardDraft | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    if (!text) return undefined;
    const draft = JSON.parse(text) as WizardDraft;
    return typeof draft.state?.name === 'string' && typeof draft.step === 'number' ? draft : undefined;
  } catch {
    // Storage disabled, or not ours: there is nothing to restore.
    return undefined;
  }
}

export function saveDraft(draft: WizardDraft): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    /* storage disabled or full: a reload then starts afresh */
  }
}

export function clearDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled */
  }
}
