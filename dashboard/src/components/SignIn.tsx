import { useState, type FormEvent } from 'react';

/** Shown when there is no usable token: the hub prints a link with one at start. */
export function SignIn({ onToken, reason }: { onToken: (token: string) => void; reason?: string }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <main className="signin">
      <form className="panel signin-box" onSubmit={submit}>
        <h1>Showwire</h1>
        {reason && (
          <p className="notice notice-warn" role="alert" data-signin-reason>
            {reason}
          </p>
        )}
        <p>
          Open the dashboard link the hub printed when it started (<code>http://…/?token=…</code>), or paste a token. Whoever runs the hub
          prints one with <code data-token-command>npm run token -w hub -- --role staff</code> (a host:{' '}
          <code>--role host --shows &lt;show-id&gt;</code>).
        </p>
        <label>
          Token
          <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" className="btn">
          Sign in
        </button>
      </form>
    </main>
  );
}
