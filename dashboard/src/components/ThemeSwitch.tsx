import { useState } from 'react';
import { applyTheme, storedTheme, type Theme } from '../lib/theme.js';

export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <label className="theme-switch small">
      <span className="sr-only">Theme</span>
      <select
        value={theme}
        data-theme-switch
        aria-label="Theme"
        onChange={(e) => {
          const t = e.target.value as Theme;
          applyTheme(t);
          setTheme(t);
        }}
      >
        <option value="system">Theme: system</option>
        <option value="light">Theme: light</option>
        <option value="dark">Theme: dark</option>
      </select>
    </label>
  );
}
