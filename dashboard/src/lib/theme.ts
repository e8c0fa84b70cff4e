/** Light or dark follows the system unless someone chose one; the choice is kept in this browser. */
export type Theme = 'system' | 'light' | 'dark';
const KEY = 'showwire.theme';

export function storedTheme(): Theme {
  const t = localStorage.getItem(KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** `system` removes the attribute, so the stylesheet's prefers-color-scheme rule decides. */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }
}
