import { caps, fraction, gstEnum, inject, injectable, LEVEL_INTERVAL_NS, levelsFromMessage, TOKENS, type AudioLevels, type Component, type PartBuilder, type PipelineMessage, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { producerTest } from './descriptor';

type Properties = PropertiesOf<(typeof producerTest)['properties']>;

/** audiotestsrc and videotestsrc, live, each built only when a component eats its feed. */
@injectable()
export default class ProducerTest implements Component {
  private tone?: ReturnType<RunningPart['element']>;
  private hasTone = false;
  private lastLevels?: AudioLevels;

  constructor(@inject(TOKENS.properties) private readonly props: Properties) {}

  build(part: PartBuilder): void {
    const p = this.props;
    if (part.isEaten('audio')) {
      const src = part.element('audiotestsrc', 'audio-src', { 'is-live': true, wave: gstEnum(p.wave), freq: p.frequency, volume: p.volume, samplesperbuffer: Math.round(p.samplerate / 10) });
      const format = part.element('capsfilter', 'audio-caps', { caps: caps('audio/x-raw', { rate: p.samplerate, channels: p.channels }) });
      // The tone's levels, for the admin dashboard's meters (level passes the audio through untouched).
      const level = part.element('level', 'audio-level', { interval: LEVEL_INTERVAL_NS, 'post-messages': true });
      part.link(src, format, level);
      part.feeder('audio', level);
      this.hasTone = true;
    }
    if (part.isEaten('video')) {
      const src = part.element('videotestsrc', 'video-src', { 'is-live': true, pattern: gstEnum(p.pattern) });
      const format = part.element('capsfilter', 'video-caps', {
        caps: caps('video/x-raw', { width: p.width, height: p.height, framerate: fraction(p.framerate) }),
      });
      part.link(src, format);
      part.feeder('video', format);
    }
  }

  start(part: RunningPart): void {
    if (this.hasTone) this.tone = part.element('audio-src');
  }

  onElementMessage(message: PipelineMessage): void {
    if (message.source.endsWith('--audio-level')) this.lastLevels = levelsFromMessage(message) ?? this.lastLevels;
  }

  levels(): AudioLevels | undefined {
    return this.lastLevels;
  }

  /** frequency and volume change live: audiotestsrc reads them for each buffer it makes. */
  update(changes: Readonly<Record<string, unknown>>): void {
    if (!this.tone) return; // nobody eats the tone: nothing sounds, nothing to change
    if (typeof changes.frequency === 'number') this.tone.freq = changes.frequency;
    if (typeof changes.volume === 'number') this.tone.volume = changes.volume;
  }
}
