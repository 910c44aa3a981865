import { Monitor, Moon, Sun, type LucideIcon } from 'lucide-react';
import { useTheme, type ThemeChoice } from '../ui/theme';
import { cx } from '../ui/cx';
import { Section } from './Section';

const CHOICES: { value: ThemeChoice; label: string; hint: string; icon: LucideIcon }[] = [
  { value: 'system', label: 'System', hint: 'Follows your device', icon: Monitor },
  { value: 'light', label: 'Light', hint: 'Always light', icon: Sun },
  { value: 'dark', label: 'Dark', hint: 'Always dark', icon: Moon },
];

/** The theme: follow the system (the default), or always light or dark; kept in this browser. */
export function AppearanceSection() {
  const { theme, choice, setChoice } = useTheme();
  return (
    <Section title="Appearance" description="Kept in this browser.">
      <fieldset className="m-0 border-0 p-0">
        <legend className="mb-2 p-0 text-sm font-medium">Theme</legend>
        <div className="grid max-w-xl grid-cols-3 gap-3">
          {CHOICES.map(({ value, label, hint, icon: Icon }) => (
            <label
              key={value}
              className={cx(
                'flex cursor-pointer items-center gap-3 rounded-lg border px-3 py-2.5 text-sm transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-primary',
                choice === value ? 'border-primary bg-primary-soft' : 'border-border hover:bg-surface-2',
              )}
            >
              <input type="radio" name="theme" value={value} checked={choice === value} onChange={() => setChoice(value)} className="sr-only" />
              <Icon size={18} aria-hidden="true" className={choice === value ? 'text-primary' : 'text-fg-muted'} />
              <span className="flex flex-col">
                <span className="font-medium">{label}</span>
                <span className="text-xs text-fg-muted">{value === 'system' ? `${hint} (now ${theme})` : hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
    </Section>
  );
}
