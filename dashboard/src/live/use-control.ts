import { useState, type FormEvent } from 'react';
import type { ControlBody } from '@showwire/protocol';
import { sendControl } from '../lib/supervision-api.js';

type Action = ControlBody['action'];

/**
 * Sending controls to a show's agent, one at a time: which is in flight, the last one's outcome
 * in words, and the say line being typed (cleared once said). `done` words a success.
 */
export function useControl(show: string, token: string | null, done: (action: Action) => string = (a) => `${a.replace('_', ' ')}: done`) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<Action>();
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string }>();

  const run = async (body: ControlBody, confirmText?: string) => {
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(body.action);
    setOutcome(undefined);
    try {
      await sendControl(token, show, body);
      setOutcome({ ok: true, message: done(body.action) });
      if (body.action === 'say') setText('');
    } catch (e) {
      setOutcome({ ok: false, message: (e as Error).message });
    } finally {
      setBusy(undefined);
    }
  };
  const say = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) void run({ action: 'say', text: text.trim() });
  };
  return { text, setText, busy, outcome, run, say };
}
