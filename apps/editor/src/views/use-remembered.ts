import { useCallback, useState } from 'react';

/**
 * A layout choice of the editor (a panel hidden, a width) kept in localStorage, so the canvas
 * looks the same after a reload. Storage that refuses (private mode) keeps it for the session.
 */
export function useRemembered(key: string, initial: boolean): [boolean, (next: boolean) => void];
export function useRemembered(key: string, initial: number): [number, (next: number) => void];
export function useRemembered<T extends boolean | number>(key: string, initial: T): [T, (next: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const stored = localStorage.getItem(`trellis.editor.${key}`);
      if (stored === null) return initial;
      const parsed: unknown = JSON.parse(stored);
      return typeof parsed === typeof initial ? (parsed as T) : initial;
    } catch {
      return initial;
    }
  });
  const remember = useCallback(
    (next: T) => {
      setValue(next);
      try {
        localStorage.setItem(`trellis.editor.${key}`, JSON.stringify(next));
      } catch {
        // storage refused: the choice lasts until reload
      }
    },
    [key],
  );
  return [value, remember];
}
