import { caps, fraction, gstEnum, inject, injectable, TOKENS, type Component, type PartBuilder, type PropertiesOf, type RunningPart } from '@flowcast/core';
import { WallClockMarker } from './wall-clock-marker';
import type { producerTest } from './descriptor';

type Properties = PropertiesOf<(typeof producerTest)['properties']>;

/** audiotestsrc and videotestsrc, live, each built only when a component eats its feed. */
@injectable()
export default class ProducerTest implements Component {
  private marker?: WallClockMarker;
  private audioBuilt = false;

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
      part.link(src, format);
      part.feeder('audio', format);
    }
    this.audioBuilt = part.isEaten('audio');
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
    if (!this.props.marker || !this.audioBuilt) return;
    this.marker = new WallClockMarker(part.element('audio-src'), this.props.volume);
    this.marker.start();
  }

  stop(): void {
    this.marker?.stop();
  }
}
