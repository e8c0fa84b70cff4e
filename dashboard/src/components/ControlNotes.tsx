/** Under a row of controls: why they cannot work now (if so), and what the last press did. */
export function ControlNotes({ blocked, reason, outcome }: { blocked: string | undefined; reason: string | undefined; outcome: { ok: boolean; message: string } | undefined }) {
  return (
    <>
      {blocked && (
        <p className="small muted blocked" data-controls-blocked={reason}>
          {blocked}
        </p>
      )}
      {outcome && (
        <p className={`small ${outcome.ok ? 'muted' : 'error'}`} role="status" data-control-outcome={outcome.ok ? 'ok' : 'failed'}>
          {outcome.message}
        </p>
      )}
    </>
  );
}
