import { useEffect, useState } from 'react';
import { navigate, showPath } from '../lib/router.js';

/**
 * Keyboard first: j/k (or the arrows; up and down a row of `rowLength()` in a grid) move the selection
 * through `shows` in the order shown,
 * Enter opens the selected show, l opens it and listens in. Keys typed into a field are left alone.
 */
export function useWallKeys(shows: readonly string[], rowLength: () => number = () => 1): number {
  const [selected, setSelected] = useState(0);
  const at = Math.min(selected, Math.max(0, shows.length - 1));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.metaKey || e.ctrlKey || e.altKey || target?.closest('input, textarea, select')) return;
      const show = shows[at];
      const last = shows.length - 1;
      // Read at the key press only: measuring the grid on every render would force a layout per event.
      const step = e.key.startsWith('Arrow') ? rowLength() : 1;
      if (e.key === 'j' || (step === 1 && e.key === 'ArrowDown') || e.key === 'ArrowRight') setSelected(Math.min(last, at + 1));
      else if (e.key === 'k' || (step === 1 && e.key === 'ArrowUp') || e.key === 'ArrowLeft') setSelected(Math.max(0, at - 1));
      else if (e.key === 'ArrowDown') setSelected(Math.min(last, at + step));
      else if (e.key === 'ArrowUp') setSelected(Math.max(0, at - step));
      else if (e.key === 'Enter' && show) navigate(showPath(show));
      else if (e.key === 'l' && show) navigate(`${showPath(show)}?listen=1`);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shows, at, rowLength]);
  useEffect(() => {
    document.querySelector('[data-wall-item][aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [at]);
  return at;
}
