import { cameraModes, cameraPath, capsFields, type CaptureDevice } from '../../api/capture-devices';

/** producer-v4l's pixel formats, by how the camera names them in its caps. */
const V4L_FORMATS: Readonly<Record<string, string>> = { YUY2: 'YUY2', I420: 'I420', NV12: 'NV12' };

export interface DeviceSummary {
  readonly name: string;
  readonly kind: 'camera' | 'microphone' | 'other';
  /** What the device offers, one line per format/size/rate. */
  readonly offers: string[];
  /** The flow component that uses it, as YAML lines; absent when no Flowcast producer can. */
  readonly snippet?: string[];
}

/** One entry of `flowcast devices`: what the device offers and the producer that uses it. */
export function summarize(device: CaptureDevice): DeviceSummary {
  if (device.deviceClass.startsWith('Video/Source')) return camera(device);
  if (device.deviceClass.startsWith('Audio/Source')) return microphone(device);
  return { name: device.name, kind: 'other', offers: device.caps };
}

function camera(device: CaptureDevice): DeviceSummary {
  const path = cameraPath(device);
  const modes = cameraModes(device).filter((m) => V4L_FORMATS[m.format] !== undefined || m.format === 'MJPG');
  const offers = device.caps.length ? device.caps : ['(no formats reported)'];
  if (!path?.startsWith('/dev/')) return { name: device.name, kind: 'camera', offers };
  // Prefer raw formats (no decoding), then the largest picture, then its highest frame rate.
  const best = [...modes].sort((a, b) => Number(b.format !== 'MJPG') - Number(a.format !== 'MJPG') || b.width * b.height - a.width * a.height)[0];
  const rate = best && best.framerates.length ? Math.max(...best.framerates) : undefined;
  const properties = [`device: ${path}`, ...(best ? [`width: ${best.width}`, `height: ${best.height}`, ...(rate ? [`framerate: ${rate}`] : []), `format: ${best.format}`] : [])];
  return { name: device.name, kind: 'camera', offers, snippet: ['cam:', '  type: producer-v4l', `  properties: { ${properties.join(', ')} }`] };
}

function microphone(device: CaptureDevice): DeviceSummary {
  const alsa = /alsasrc .*device=("?)([^"\s]+)\1/.exec(device.launch ?? '')?.[2] ?? (device.properties['alsa.card'] !== undefined ? `hw:${device.properties['alsa.card']}` : undefined);
  const first = device.caps[0] ? capsFields(device.caps[0]).fields : {};
  const rate = /^\d+$/.test(first.rate ?? '') ? first.rate : undefined;
  const channels = /^\d+$/.test(first.channels ?? '') ? first.channels : undefined;
  if (!alsa) return { name: device.name, kind: 'microphone', offers: device.caps };
  const properties = [`device: "${alsa}"`, ...(rate ? [`samplerate: ${rate}`] : []), ...(channels ? [`channels: ${channels}`] : [])];
  return { name: device.name, kind: 'microphone', offers: device.caps, snippet: ['mic:', '  type: producer-alsa', `  properties: { ${properties.join(', ')} }`] };
}
