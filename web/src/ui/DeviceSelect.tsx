// One labelled <select> of media devices.
import { useI18n, type MessageKey } from './i18n';

export function DeviceSelect({
  label,
  devices,
  value,
  onChange,
  testId,
  disabled = false,
}: {
  label: MessageKey;
  devices: MediaDeviceInfo[];
  value: string | null;
  onChange: (deviceId: string) => void;
  testId: string;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const known = devices.some((d) => d.deviceId === value);
  return (
    <label className="device-select">
      <span className="field-label">{t(label)}</span>
      <select
        className="select"
        data-testid={testId}
        aria-label={t(label)}
        disabled={disabled || devices.length === 0}
        value={known && value ? value : (devices[0]?.deviceId ?? '')}
        onChange={(e) => onChange(e.target.value)}
      >
        {devices.length === 0 && <option value="">{t('noDevices')}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || `${t(label)} ${i + 1}`}
          </option>
        ))}
      </select>
    </label>
  );
}
