/** English / Español, as a labelled toggle group (keyboard: Tab, then Space or Enter). */
import { ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, currentLanguage, setLanguage } from '../i18n/index.js';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = currentLanguage();
  void i18n.language;
  return (
    <ToggleGroup aria-label={t('common.language')} isCompact>
      {LANGUAGES.map((l) => (
        <ToggleGroupItem
          key={l.code}
          text={l.label}
          lang={l.code}
          buttonId={`lang-${l.code}`}
          isSelected={current === l.code}
          onChange={() => void setLanguage(l.code)}
        />
      ))}
    </ToggleGroup>
  );
}
