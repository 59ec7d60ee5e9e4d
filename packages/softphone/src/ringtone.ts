// A ring tone made in code (no audio file to ship): China's ringback cadence, 450 Hz for 1 s then 4 s of silence,
// as 16-bit mono PCM in a WAV container that an <audio> element can loop on the chosen ringing device.

export function ringToneWav(sampleRate = 8000, onSeconds = 1, offSeconds = 4, hz = 450): Uint8Array {
  const samples = Math.round(sampleRate * (onSeconds + offSeconds));
  const on = Math.round(sampleRate * onSeconds);
  const data = new DataView(new ArrayBuffer(44 + samples * 2));
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) data.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  data.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  data.setUint32(16, 16, true); // PCM header size
  data.setUint16(20, 1, true); // PCM
  data.setUint16(22, 1, true); // mono
  data.setUint32(24, sampleRate, true);
  data.setUint32(28, sampleRate * 2, true); // byte rate
  data.setUint16(32, 2, true); // block align
  data.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  data.setUint32(40, samples * 2, true);
  const fade = Math.round(sampleRate * 0.01); // 10 ms ramps, no clicks
  for (let i = 0; i < on; i++) {
    const ramp = Math.min(1, i / fade, (on - i) / fade);
    data.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * 0.4 * 32767 * ramp), true);
  }
  return new Uint8Array(data.buffer);
}
