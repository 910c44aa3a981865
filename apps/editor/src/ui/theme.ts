import { useCallback, useEffect, useState } from 'react';

/** What the person chose: follow the system (the default), or always light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

// index.html reads the same key before first paint, so a reload never flashes the other theme.
const KEY = 'trellis.theme';
const listeners = new Set<() => void>();

export function themeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

const systemTheme = (): Theme => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
const resolve = (choice: ThemeChoice): Theme => (choice === 'system' ? systemTheme() : choice);

function apply(): void {
  document.documentElement.classList.toggle('dark', resolve(themeChoice()) === 'dark');
  for (const listener of listeners) listener();
}

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage refused (private mode): the choice lasts until reload
  }
  apply();
}

/** The theme in use and the person's choice; follows the system while the choice is "system". */
export function useTheme(): { theme: Theme; choice: ThemeChoice; setChoice: (choice: ThemeChoice) => void } {
  const read = useCallback(() => ({ theme: resolve(themeChoice()), choice: themeChoice() }), []);
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = () => setState(read());
    listeners.add(update);
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const onSystem = () => themeChoice() === 'system' && apply();
    media?.addEventListener('change', onSystem);
    return () => {
      listeners.delete(update);
      media?.removeEventListener('change', onSystem);
    };
  }, [read]);
  return { ...state, setChoice: setThemeChoice };
}
