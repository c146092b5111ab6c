import { caps, fraction, gstEnum, inject, injectable, levelsFromMessage, TOKENS, type AudioLevels, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf, type RunningPart } from '@flowcast/core';
import { flashMarker, toneMarker, WallClockMarker, type MarkerTarget } from './wall-clock-marker';
import type { producerTest } from './descriptor';

type Properties = PropertiesOf<(typeof producerTest)['properties']>;

/** audiotestsrc and videotestsrc, live, each built only when a component eats its feed. */
@injectable()
export default class ProducerTest implements Component {
  private marker?: WallClockMarker;
  private tone?: ReturnType<RunningPart['element']>;
  private audioBuilt = false;
  private videoBuilt = false;
  private lastLevels?: AudioLevels;

  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    if (part.isEaten('audio')) {
      // With the marker, 10 ms buffers, so a marker starts within 10 ms of its second.
      const src = part.element('audiotestsrc', 'audio-src', {
        'is-live': true,
        wave: gstEnum(p.marker ? 'sine' : p.wave),
        freq: p.frequency,
        volume: p.marker ? 0 : p.volume,
        samplesperbuffer: Math.round(p.samplerate / (p.marker ? 100 : 10)),
      });
      const format = part.element('capsfilter', 'audio-caps', { caps: caps('audio/x-raw', { rate: p.samplerate, channels: p.channels }) });
      // The tone's levels, for the admin dashboard's meters (level passes the audio through untouched).
      const level = part.levelMeter('audio-level');
      part.link(src, format, level);
      part.feeder('audio', level);
    }
    this.audioBuilt = part.isEaten('audio');
    this.videoBuilt = part.isEaten('video');
    if (part.isEaten('video')) {
      const src = part.element('videotestsrc', 'video-src', { 'is-live': true, pattern: gstEnum(p.pattern) });
      const format = part.element('capsfilter', 'video-caps', {
        caps: caps('video/x-raw', { width: p.width, height: p.height, framerate: fraction(p.framerate) }),
      });
      // With the marker, a videobalance whose brightness flashes the picture white each second.
      if (p.marker) part.link(src, part.element('videobalance', 'video-marker'), format);
      else part.link(src, format);
      part.feeder('video', format);
    }
  }

  start(part: RunningPart): void {
    if (this.audioBuilt) this.tone = part.element('audio-src');
    if (!this.props.marker) return;
    const targets: MarkerTarget[] = [];
    if (this.audioBuilt) targets.push(toneMarker(part.element('audio-src'), this.props.volume));
    if (this.videoBuilt) targets.push(flashMarker(part.element('video-marker')));
    this.marker = new WallClockMarker(targets);
    this.marker.start();
  }

  stop(): void {
    this.marker?.stop();
  }

  onElementMessage(message: PipelineMessage): void {
    if (message.source.endsWith('--audio-level')) this.lastLevels = levelsFromMessage(message) ?? this.lastLevels;
  }

  levels(): AudioLevels | undefined {
    return this.lastLevels;
  }

  /**
   * frequency and volume change live: audiotestsrc reads them for each buffer it makes. With the
   * latency marker on, the marker plays the tone, and a change waits for a restart.
   */
  update(changes: Readonly<Record<string, unknown>>): void {
    if (!this.tone || this.props.marker) return; // nobody eats the tone, or the marker plays it
    if (typeof changes.frequency === 'number') this.tone.freq = changes.frequency;
    if (typeof changes.volume === 'number') this.tone.volume = changes.volume;
  }
}
