// Which audio device to use: the user's choice while it is plugged in, else the system default, and say so.

export interface AudioDevice {
  deviceId: string;
  label: string;
}

export interface DeviceChoice {
  /** The device to use; '' is the system default. */
  deviceId: string;
  /** The chosen device is gone (a headset unplugged): the default is used instead. */
  fellBack: boolean;
}

/** The preferred device if it is still present, else the default ('' ). */
export function resolveDevice(preferredId: string | null, available: readonly AudioDevice[]): DeviceChoice {
  if (!preferredId || preferredId === 'default') return { deviceId: '', fellBack: false };
  if (available.some((d) => d.deviceId === preferredId)) return { deviceId: preferredId, fellBack: false };
  return { deviceId: '', fellBack: true };
}

/** Devices of one kind from enumerateDevices(), without Chrome's "default"/"communications" aliases. */
export function devicesOfKind(
  all: ReadonlyArray<{ kind: string; deviceId: string; label: string }>,
  kind: 'audioinput' | 'audiooutput',
): AudioDevice[] {
  return all
    .filter((d) => d.kind === kind && d.deviceId !== 'default' && d.deviceId !== 'communications' && d.deviceId !== '')
    .map((d, i) => ({
      deviceId: d.deviceId,
      label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}`,
    }));
}
