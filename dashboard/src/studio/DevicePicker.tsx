/** One kind of media device to pick (the browser's default first); labels appear once permission is given. */
export function DevicePicker({ label, devices, value, onPick }: { label: string; devices: MediaDeviceInfo[]; value: string | undefined; onPick: (deviceId: string) => Promise<void> }) {
  return (
    <label>
      <span className="muted small">{label}</span>
      <select value={value ?? ''} onChange={(e) => void onPick(e.target.value)} data-device-kind={label.toLowerCase()}>
        <option value="">Default {label.toLowerCase()}</option>
        {devices.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
