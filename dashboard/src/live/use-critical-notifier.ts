import { useEffect, useRef, useState } from 'react';
import type { OpenAlert } from '@showwire/protocol';
import { ruleLabel } from '../lib/trouble.js';

const KEY = 'showwire.notifyCritical';

/**
 * Opt-in: a short tone and a browser notification for each critical alert raised while the page
 * is open (not for those already open when it loaded: they are on screen). The tone's
 * AudioContext is made in the click that opts in, since browsers allow sound only after a gesture.
 * Answers whether it is on, the toggle, and how many alerts it announced.
 */
export function useCriticalNotifier(alerts: ReadonlyArray<OpenAlert & { show: string; title?: string }>) {
  const [on, setOn] = useState(() => localStorage.getItem(KEY) === 'on');
  const [announced, setAnnounced] = useState(0);
  const seen = useRef<Set<string> | undefined>(undefined);
  const audio = useRef<AudioContext | undefined>(undefined);

  useEffect(() => {
    const critical = alerts.filter((a) => a.severity === 'critical');
    const ids = critical.map((a) => `${a.show}/${a.alertId}`);
    if (!seen.current) {
      seen.current = new Set(ids);
      return;
    }
    const fresh = critical.filter((a) => !seen.current!.has(`${a.show}/${a.alertId}`));
    for (const id of ids) seen.current.add(id);
    if (!on || fresh.length === 0) return;
    beep(audio.current);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      for (const a of fresh) new Notification(`${ruleLabel(a.rule)}: ${a.title || a.show}`, { body: a.message, tag: `${a.show}/${a.alertId}` });
    }
    setAnnounced((n) => n + fresh.length);
  }, [alerts, on]);

  const toggle = () => {
    const next = !on;
    localStorage.setItem(KEY, next ? 'on' : 'off');
    setOn(next);
    if (next) {
      audio.current ??= new AudioContext();
      void audio.current.resume();
      if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
    }
  };
  return { on, toggle, announced };
}

/** Two short tones, loud enough to hear across a room, short enough not to annoy. */
function beep(ctx: AudioContext | undefined) {
  if (!ctx) return;
  for (const [at, hz] of [[0, 880], [0.18, 660]] as const) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + at);
    osc.stop(ctx.currentTime + at + 0.15);
  }
}
