/**
 * The name a person gives themselves in the editor, kept in this browser only: versions they
 * save carry it as their author (the runner has no accounts).
 */
const KEY = 'trellis.author';

export function readAuthor(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return ''; // storage blocked: nobody is named
  }
}

export function writeAuthor(name: string): void {
  try {
    if (name.trim()) localStorage.setItem(KEY, name.trim());
    else localStorage.removeItem(KEY);
  } catch {
    // storage blocked: the name lasts as long as the page
  }
}
