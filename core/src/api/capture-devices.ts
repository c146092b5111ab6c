import { execFile } from 'node:child_process';

/**
 * The capture devices gst-device-monitor-1.0 lists (GStreamer's device monitor: V4L2 cameras, ALSA
 * and PulseAudio/PipeWire sources), read from its text output, one "Device found:" block each.
 */
export interface CaptureDevice {
  readonly name: string;
  /** Video/Source, Audio/Source */
  readonly deviceClass: string;
  /** One caps structure each: "video/x-raw, format=YUY2, width=640, height=480, framerate=30/1" */
  readonly caps: string[];
  readonly properties: Readonly<Record<string, string>>;
  /** The element line the monitor suggests ("v4l2src device=/dev/video0 ! ..."), when given. */
  readonly launch?: string;
}

export function parseMonitorOutput(text: string): CaptureDevice[] {
  const devices: CaptureDevice[] = [];
  for (const block of text.split(/^Device found:\s*$/m).slice(1)) {
    const field = (name: string): string | undefined => new RegExp(`^\\s*${name}\\s*: (.*)$`, 'm').exec(block)?.[1]?.trim();
    const caps: string[] = [];
    const lines = block.split('\n');
    const capsStart = lines.findIndex((line) => /^\s*caps\s*:/.test(line));
    if (capsStart >= 0) {
      // The first structure follows "caps :", the others are indented on the lines after it.
      for (let i = capsStart; i < lines.length; i++) {
        const line = i === capsStart ? lines[i]!.replace(/^\s*caps\s*:\s*/, '') : lines[i]!;
        if (i > capsStart && (/^\s*[a-z-]+\s*:/.test(line) || line.trim() === '')) break;
        const structure = line.trim().replace(/;$/, '');
        if (structure) caps.push(structure);
      }
    }
    const properties: Record<string, string> = {};
    for (const match of block.matchAll(/^\s+([a-z0-9_.-]+) = (.*)$/gm)) properties[match[1]!] = match[2]!.trim();
    const launch = /gst-launch-1\.0 (.*)$/m.exec(block)?.[1]?.trim();
    devices.push({ name: field('name') ?? 'unknown', deviceClass: field('class') ?? 'unknown', caps, properties, ...(launch ? { launch } : {}) });
  }
  return devices;
}

/** A caps structure's fields: "video/x-raw, width=640" → { mediaType: "video/x-raw", width: "640" }. */
export function capsFields(structure: string): { mediaType: string; fields: Record<string, string> } {
  // Split on the commas between fields, not those inside a list "{ 30/1, 15/1 }" or range "[ 1, 2 ]".
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of structure) {
    if (char === '{' || char === '[') depth++;
    if (char === '}' || char === ']') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  const [mediaType, ...rest] = parts;
  const fields: Record<string, string> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at > 0) fields[part.slice(0, at).trim()] = part.slice(at + 1).trim().replace(/\([a-z]+\)/g, '');
  }
  return { mediaType: mediaType!.trim(), fields };
}

/** The monitor lists what is there and exits; a stuck provider should not hang the caller. */
const MONITOR_TIMEOUT_MS = 15_000;

/**
 * The capture devices GStreamer's device monitor finds now (`gst-device-monitor-1.0 Video/Source
 * Audio/Source`), or undefined when the monitor is not installed.
 */
export function listCaptureDevices(): Promise<CaptureDevice[] | undefined> {
  return new Promise((resolve) => {
    execFile('gst-device-monitor-1.0', ['Video/Source', 'Audio/Source'], { timeout: MONITOR_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined);
      else resolve(parseMonitorOutput(stdout));
    });
  });
}

/** One picture mode a camera offers: pixel format (YUY2, NV12, MJPG …), size and frame rates. */
export interface CameraMode {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  /** Whole frame rates it lists; empty when the caps give a range or none. */
  readonly framerates: number[];
}

/** The modes in a camera's caps, as producer-v4l names formats (image/jpeg is MJPG). */
export function cameraModes(device: CaptureDevice): CameraMode[] {
  return device.caps.flatMap((structure) => {
    const { mediaType, fields } = capsFields(structure);
    const format = mediaType === 'image/jpeg' ? 'MJPG' : mediaType === 'video/x-raw' ? fields.format : undefined;
    const width = Number(fields.width);
    const height = Number(fields.height);
    if (!format || !(width > 0) || !(height > 0)) return [];
    const framerates = [...(fields.framerate ?? '').matchAll(/(\d+)\/1\b/g)].map((m) => Number(m[1]));
    return [{ format, width, height, framerates }];
  });
}

/** The device path of a V4L2 camera, as the monitor reports it. */
export function cameraPath(device: CaptureDevice): string | undefined {
  return device.properties['api.v4l2.path'] ?? device.properties['device.path'] ?? /device=(\S+)/.exec(device.launch ?? '')?.[1];
}
