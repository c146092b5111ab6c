import { caps, inject, injectable, levelsFromMessage, TOKENS, type AudioLevels, type Clock, type Component, type GstElementHandle, type Logger, type PartBuilder, type PipelineMessage, type PropertiesOf, type RunningPart } from '@flowcast/core';
import type { switchComponent } from './descriptor';

type Properties = PropertiesOf<(typeof switchComponent)['properties']>;
type Feed = 'main' | 'backup';

/** How often the main feed's liveliness is looked at. */
const CHECK_MS = 100;
/** How often `level` reports on each feed (ns): its reports are the sign that the feed delivers. */
const LEVEL_INTERVAL_NS = 100_000_000;

/**
 * Each feed → convert → level → volume → audiomixer. Both feeds run all the time; the one not
 * playing is muted, so switching is a property change with no gap and no renegotiation. A feed
 * delivers while its `level` element reports; the main is taken over by the backup after
 * `switch-after` without a report, and given back after `return-after` of steady reports. A main
 * that fails is left out of the pipeline by the runtime (its eater is a failover eater), and the
 * switch then plays the backup alone.
 */
@injectable()
export default class Switch implements Component {
  private playing: Feed = 'main';
  private hasMain = true;
  private volumes = new Map<Feed, GstElementHandle>();
  private lastMainReport?: number;
  private lastBackupReport?: number;
  /** Since when the main has reported without a break longer than switch-after. */
  private mainSteadySince?: number;
  private timer?: NodeJS.Timeout;
  private switches = 0;
  /** Each feed's latest level (its `level` element, before its mute). */
  private readonly feedLevels = new Map<Feed, AudioLevels>();

  constructor(
    @inject(TOKENS.properties) private readonly props: Properties,
    @inject(TOKENS.logger) private readonly log: Logger,
    @inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  build(part: PartBuilder): void {
    const p = this.props;
    const mixer = part.element('audiomixer', 'mix', { 'ignore-inactive-pads': true });
    this.hasMain = part.feedCount('main') > 0;
    for (const feed of ['main', 'backup'] as const) {
      if (feed === 'main' && !this.hasMain) continue;
      const convert = part.element('audioconvert', `${feed}-convert`);
      const resample = part.element('audioresample', `${feed}-resample`);
      const format = part.element('capsfilter', `${feed}-caps`, { caps: caps('audio/x-raw', { format: 'S16LE', rate: p.samplerate, channels: p.channels }) });
      const level = part.element('level', `${feed}-level`, { interval: LEVEL_INTERVAL_NS, 'post-messages': true });
      const volume = part.element('volume', `${feed}-volume`, { mute: this.hasMain ? feed === 'backup' : false });
      part.link(convert, resample, format, level, volume, mixer);
      part.eater(feed, convert);
    }
    part.feeder('default', mixer);
  }

  start(part: RunningPart): void {
    this.volumes.clear();
    if (this.hasMain) this.volumes.set('main', part.element('main-volume'));
    this.volumes.set('backup', part.element('backup-volume'));
    this.playing = this.hasMain ? 'main' : 'backup';
    this.lastMainReport = undefined;
    this.mainSteadySince = undefined;
    if (!this.hasMain) this.log.warn('main feed left out (it failed): playing the backup');
    clearInterval(this.timer);
    const started = this.clock.monotonic();
    this.timer = setInterval(() => this.check(started), CHECK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  onElementMessage(message: PipelineMessage): void {
    const now = this.clock.monotonic();
    const feed = message.source.endsWith('--main-level') ? 'main' : message.source.endsWith('--backup-level') ? 'backup' : undefined;
    const levels = feed ? levelsFromMessage(message) : undefined;
    if (feed && levels) this.feedLevels.set(feed, levels);
    if (message.source.endsWith('--backup-level')) this.lastBackupReport = now;
    if (!message.source.endsWith('--main-level')) return;
    const gap = this.lastMainReport === undefined ? Number.POSITIVE_INFINITY : now - this.lastMainReport;
    if (gap > this.props['switch-after'] * 1000) this.mainSteadySince = now;
    this.lastMainReport = now;
  }

  /**
   * The main feed's last sign of life, so the switch goes hungry while its main is silent (and
   * the backup plays); when the main is left out (it failed), the backup's.
   */
  lastDataAt(): number | undefined {
    return this.hasMain ? this.lastMainReport : this.lastBackupReport;
  }

  /** The level of the feed it plays (measured before its mute), for the admin dashboard's meters. */
  levels(): AudioLevels | undefined {
    return this.feedLevels.get(this.playing);
  }

  stats(): Readonly<Record<string, number>> {
    return { playingBackup: this.playing === 'backup' ? 1 : 0, switches: this.switches };
  }

  private check(started: number): void {
    if (!this.hasMain) return;
    const now = this.clock.monotonic();
    const silentFor = now - (this.lastMainReport ?? started);
    const switchAfter = this.props['switch-after'] * 1000;
    if (this.playing === 'main' && silentFor > switchAfter) {
      this.play('backup', `the main feed delivered nothing for ${(silentFor / 1000).toFixed(1)} s`);
    } else if (this.playing === 'backup' && silentFor <= switchAfter && this.mainSteadySince !== undefined && now - this.mainSteadySince >= this.props['return-after'] * 1000) {
      this.play('main', `the main feed has delivered for ${((now - this.mainSteadySince) / 1000).toFixed(1)} s`);
    }
  }

  private play(feed: Feed, reason: string): void {
    this.playing = feed;
    this.switches++;
    // Unmute the new one first: a moment of both rather than a moment of neither.
    this.volumes.get(feed)!.mute = false;
    this.volumes.get(feed === 'main' ? 'backup' : 'main')!.mute = true;
    this.log.info(feed === 'backup' ? 'playing the backup' : 'back to the main feed', { reason });
  }
}
