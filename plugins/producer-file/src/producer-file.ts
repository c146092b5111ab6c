import path from 'node:path';
import { caps, FlowcastError, gstEnum, inject, injectable, levelsFromMessage, TOKENS, type AudioLevels, type Component, type PipelineMessage, type Logger, type PartBuilder, type Paths, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { producerFile } from './descriptor';
import { FileDecoder } from './file-decoder';
import { playlistFiles } from './playlist';

type Properties = PropertiesOf<(typeof producerFile)['properties']>;

/** How long the first file may take to give its first buffer when checked before the start. */
const PROBE_LIMIT_MS = 10_000;

interface AppSrcHandle {
  push(buffer: Buffer): void;
}

/**
 * Plays files live, in a loop: each file is decoded in a small pipeline of its own (paced in real
 * time) and its audio pushed into this component's appsrc, which timestamps it as it arrives. A
 * file that cannot be decoded is skipped with a warning; when none can, the component fails.
 */
@injectable()
export default class ProducerFile implements Component {
  private files: string[] = [];
  private index = 0;
  private decoder?: FileDecoder;
  private stopped = false;
  private lastLevels?: AudioLevels;

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.componentName) private readonly name: string,
    @inject(TOKENS.paths) private readonly paths: Paths,
    @inject(TOKENS.logger) private readonly log: Logger,
  ) {}

  /** The location exists, and its first file decodes: a clear error now rather than silence later. */
  async preflight(): Promise<void> {
    this.files = playlistFiles(this.props.location, this.paths.flowDirectory, this.name);
    const first = this.files[0]!;
    const problem = await this.probe(first);
    if (problem !== undefined) {
      throw new FlowcastError('FC_PREFLIGHT', `component "${this.name}": GStreamer cannot decode ${first}: ${problem}`, {
        fix: 'Use an audio file GStreamer can play (Ogg Vorbis or Opus, FLAC, WAV, MP3 …): `gst-discoverer-1.0 FILE` tells what it is',
        location: { component: this.name, property: 'location' },
      });
    }
  }

  build(part: PartBuilder): void {
    const p = this.props;
    const src = part.element('appsrc', 'src', {
      'is-live': true,
      'do-timestamp': true,
      format: gstEnum('time'),
      caps: caps('audio/x-raw', { format: 'S16LE', layout: 'interleaved', rate: p.samplerate, channels: p.channels }),
      'max-bytes': p.samplerate * p.channels * 2, // a second
    });
    const convert = part.element('audioconvert', 'convert');
    // The file's levels, for the admin dashboard's meters (level passes the audio through untouched).
    const level = part.levelMeter('level');
    part.link(src, convert, level);
    part.feeder('audio', level);
  }

  onElementMessage(message: PipelineMessage): void {
    if (message.source.endsWith('--level')) this.lastLevels = levelsFromMessage(message) ?? this.lastLevels;
  }

  levels(): AudioLevels | undefined {
    return this.lastLevels;
  }

  start(part: RunningPart): void {
    this.stopped = false;
    this.files = playlistFiles(this.props.location, this.paths.flowDirectory, this.name);
    this.index = 0;
    const src = part.element('src') as unknown as AppSrcHandle;
    const playNext = (): void => {
      if (this.stopped) return;
      this.index %= this.files.length;
      const file = this.files[this.index]!;
      this.index++;
      this.decoder = new FileDecoder(file, this.rawCaps(), {
        buffer: (data) => src.push(data),
        end: () => {
          this.log.debug('played', { file: path.basename(file) });
          playNext();
        },
        error: (reason) => {
          // Left out of the rotation (until the flow restarts), so it is reported once.
          this.files = this.files.filter((f) => f !== file);
          this.index--;
          if (this.files.length === 0) part.fail(`no file of ${this.props.location} can be played (the last, ${file}: ${reason})`);
          else {
            this.log.warn(`skipped ${file}: GStreamer cannot decode it: ${reason}`);
            playNext();
          }
        },
      });
      this.decoder.start();
    };
    playNext();
  }

  stop(): void {
    this.stopped = true;
    this.decoder?.stop();
  }

  private rawCaps(): string {
    return `audio/x-raw,format=S16LE,layout=interleaved,rate=${this.props.samplerate},channels=${this.props.channels}`;
  }

  /** Decode the start of a file: undefined when a buffer came, else GStreamer's reason. */
  private probe(file: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (problem: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        decoder.stop();
        resolve(problem);
      };
      const decoder = new FileDecoder(file, this.rawCaps(), {
        buffer: () => settle(undefined),
        end: () => settle(undefined),
        error: (reason) => settle(reason),
      });
      const timer = setTimeout(() => settle(`no audio came within ${PROBE_LIMIT_MS / 1000} s`), PROBE_LIMIT_MS);
      decoder.start();
    });
  }
}
