// Audio devices: the microphone, the speaker and a separate ringing device (so the ring can sound on the desk
// speaker while the call is in the headset). The user's choice is kept; while a chosen device is missing (a headset
// unplugged mid-call) the system default is used and the console is told, and the choice returns when it does.
import { devicesOfKind, resolveDevice } from './device-choice';
import type { AudioDevice } from './device-choice';

export type DeviceKind = 'microphone' | 'speaker' | 'ringer';

export interface DeviceState {
  microphones: AudioDevice[];
  speakers: AudioDevice[];
  /** The user's choices ('' = the system default). */
  microphoneId: string;
  speakerId: string;
  ringerId: string;
  /** What is used now ('' = default): differs from the choice while the chosen device is missing. */
  activeMicrophoneId: string;
  activeSpeakerId: string;
  activeRingerId: string;
  /** The browser can route audio to a chosen output (HTMLMediaElement.setSinkId). */
  canChooseOutput: boolean;
  /** The last change the user should know about, in words. */
  notice: string | null;
}

export interface DeviceNotice {
  kind: DeviceKind;
  message: string;
  /** The device now in use ('' = default). */
  deviceId: string;
}

const NAMES: Record<DeviceKind, string> = { microphone: 'microphone', speaker: 'speaker', ringer: 'ringing device' };

export const INITIAL_DEVICES: DeviceState = {
  microphones: [],
  speakers: [],
  microphoneId: '',
  speakerId: '',
  ringerId: '',
  activeMicrophoneId: '',
  activeSpeakerId: '',
  activeRingerId: '',
  canChooseOutput: false,
  notice: null,
};

export class AudioDevices {
  private s: DeviceState;
  /** Labels of chosen devices, remembered so a notice can name a device that is gone. */
  private readonly labels = new Map<string, string>();
  private readonly onDeviceChange = () => void this.refresh();

  constructor(
    private readonly md: MediaDevices | undefined,
    private readonly changed: (state: DeviceState, notices: DeviceNotice[]) => void,
  ) {
    const canChooseOutput = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
    this.s = { ...INITIAL_DEVICES, canChooseOutput };
  }

  get state(): DeviceState {
    return this.s;
  }

  start(): void {
    this.md?.addEventListener('devicechange', this.onDeviceChange);
  }

  stop(): void {
    this.md?.removeEventListener('devicechange', this.onDeviceChange);
  }

  /** getUserMedia constraints for the microphone in use. */
  microphoneConstraints(): MediaTrackConstraints | true {
    const id = this.s.activeMicrophoneId;
    return id ? { deviceId: { exact: id } } : true;
  }

  /**
   * Lists devices again (labels appear only once the page may use the microphone: `askPermission` opens and closes
   * it once when they are missing), re-resolves the choices and reports fallbacks.
   */
  async refresh(askPermission = false): Promise<DeviceState> {
    if (!this.md) return this.s;
    let all = await this.md.enumerateDevices();
    if (askPermission && all.some((d) => d.kind === 'audioinput' && !d.label)) {
      const probe = await this.md.getUserMedia({ audio: true });
      probe.getTracks().forEach((t) => t.stop());
      all = await this.md.enumerateDevices();
    }
    const microphones = devicesOfKind(all, 'audioinput');
    const speakers = devicesOfKind(all, 'audiooutput');
    for (const d of [...microphones, ...speakers]) this.labels.set(d.deviceId, d.label);
    this.resolve({ ...this.s, microphones, speakers });
    return this.s;
  }

  /** Chooses a device ('' or null = default). */
  choose(kind: DeviceKind, deviceId: string | null): void {
    const id = deviceId ?? '';
    const key = kind === 'microphone' ? 'microphoneId' : kind === 'speaker' ? 'speakerId' : 'ringerId';
    this.resolve({ ...this.s, [key]: id }, kind);
  }

  private resolve(next: DeviceState, chosen?: DeviceKind): void {
    const notices: DeviceNotice[] = [];
    const step = (kind: DeviceKind, pref: string, list: AudioDevice[], previous: string): string => {
      const c = resolveDevice(pref, list);
      const name = this.labels.get(pref) ?? pref;
      if (chosen === kind) {
        if (c.fellBack)
          notices.push({
            kind,
            deviceId: '',
            message: `The ${NAMES[kind]} “${name}” is not connected: using the default ${NAMES[kind]}.`,
          });
      } else if (c.deviceId !== previous) {
        notices.push(
          c.fellBack
            ? {
                kind,
                deviceId: '',
                message: `The ${NAMES[kind]} “${name}” was disconnected: using the default ${NAMES[kind]}.`,
              }
            : { kind, deviceId: c.deviceId, message: `The ${NAMES[kind]} “${name}” is back: using it again.` },
        );
      }
      return c.deviceId;
    };
    const activeMicrophoneId = step('microphone', next.microphoneId, next.microphones, this.s.activeMicrophoneId);
    const activeSpeakerId = step('speaker', next.speakerId, next.speakers, this.s.activeSpeakerId);
    const activeRingerId = step('ringer', next.ringerId, next.speakers, this.s.activeRingerId);
    this.s = {
      ...next,
      activeMicrophoneId,
      activeSpeakerId,
      activeRingerId,
      notice: notices.at(-1)?.message ?? (chosen ? null : this.s.notice),
    };
    this.changed(this.s, notices);
  }
}
