import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MediaInfo {
  /** gst-discoverer-1.0's whole report. */
  report: string;
  container?: string;
  audioCodec?: string;
  sampleRate?: number;
  channels?: number;
}

/** Run `use` on `data` as a file: the file itself, or bytes written to a temporary one, removed after. */
async function withFile<T>(data: Buffer | string, suffix: string, use: (file: string) => Promise<T>): Promise<T> {
  if (typeof data === 'string') return use(data);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-media-'));
  try {
    const file = path.join(directory, `stream${suffix}`);
    fs.writeFileSync(file, data);
    return await use(file);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** What gst-discoverer-1.0 says of a file or of bytes received. */
export async function discover(data: Buffer | string, suffix = '.ogg'): Promise<MediaInfo> {
  const { output } = await withFile(data, suffix, (file) => run('gst-discoverer-1.0', [file]));
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}: (.+)$`, 'm').exec(output)?.[1]?.trim();
  const rate = field('Sample rate');
  const channels = field('Channels');
  return {
    report: output,
    container: /container #\d+: ([^\n]+)/i.exec(output)?.[1]?.trim() ?? /container: ([^\n]+)/i.exec(output)?.[1]?.trim(),
    audioCodec: /audio(?: #\d+)?: ([^\n]+)/i.exec(output)?.[1]?.trim(),
    ...(rate ? { sampleRate: Number(rate) } : {}),
    ...(channels ? { channels: Number(channels.split(' ')[0]) } : {}),
  };
}

/**
 * Decode all of `data` with GStreamer (`filesrc ! oggdemux ! vorbisdec ! fakesink` by default) and
 * report whether it decoded without error, and how many audio samples came out.
 */
export async function decodes(data: Buffer | string, decoder = 'oggdemux ! vorbisdec'): Promise<{ ok: boolean; output: string }> {
  const { code, output } = await withFile(data, '.ogg', (file) => run('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', ...decoder.split(' '), '!', 'audioconvert', '!', 'fakesink']));
  return { ok: code === 0, output };
}

/** One stream as ffprobe describes it (the fields the tests read). */
export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  /** H.264: level_idc (31 for 3.1). */
  level?: number;
  width?: number;
  height?: number;
  /** "25/1" */
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

export interface ProbeResult {
  /** ffprobe's format name ("matroska,webm", "mpegts", "ogg", "mp3"). */
  format: string;
  streams: ProbedStream[];
  /** Presentation times (s) of the first video stream's packets, and of those flagged keyframes. */
  videoPacketTimes: number[];
  keyframeTimes: number[];
  /** ffprobe's error output, empty when it read everything cleanly. */
  errors: string;
}

/** ffprobe's JSON for `args`, with its error output kept apart. */
function ffprobeJson(file: string, args: string[]): Promise<{ json: FfprobeJson; errors: string }> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', ...args, '-of', 'json', file], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        resolve({ json: JSON.parse(stdout) as FfprobeJson, errors: stderr.trim() });
      } catch {
        reject(new Error(`ffprobe failed: ${error?.message ?? ''} ${stderr}`));
      }
    });
  });
}

interface FfprobeJson {
  format?: { format_name?: string };
  streams?: ProbedStream[];
  packets?: { pts_time?: string; flags?: string }[];
}

/** What ffprobe (FFmpeg's reader, another implementation than GStreamer's) finds in a file or in bytes. */
export async function probe(data: Buffer | string, suffix: string): Promise<ProbeResult> {
  return withFile(data, suffix, async (file) => {
    const whole = await ffprobeJson(file, ['-show_format', '-show_streams']);
    const video = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_packets']);
    const packets = (video.json.packets ?? []).filter((p) => p.pts_time !== undefined);
    return {
      format: whole.json.format?.format_name ?? '',
      streams: whole.json.streams ?? [],
      videoPacketTimes: packets.map((p) => Number(p.pts_time)),
      keyframeTimes: packets.filter((p) => p.flags?.startsWith('K')).map((p) => Number(p.pts_time)),
      errors: whole.errors,
    };
  });
}

/**
 * Decode all of `data` with GStreamer's `demuxer ! decoder` (`matroskademux ! vp8dec`) into a
 * fakesink, and report whether it decoded without error.
 */
export async function decodesVideo(data: Buffer | string, decoder: string, suffix = '.webm'): Promise<{ ok: boolean; output: string }> {
  const { code, output } = await withFile(data, suffix, (file) => run('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', ...decoder.split(' '), '!', 'videoconvert', '!', 'fakesink']));
  return { ok: code === 0, output };
}
