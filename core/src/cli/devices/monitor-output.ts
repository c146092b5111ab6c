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
  const [mediaType, ...rest] = structure.split(/,\s*/);
  const fields: Record<string, string> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at > 0) fields[part.slice(0, at).trim()] = part.slice(at + 1).trim().replace(/^\([a-z]+\)/, '');
  }
  return { mediaType: mediaType!.trim(), fields };
}
