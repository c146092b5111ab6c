import { execFile } from 'node:child_process';
import type { Logger } from '../api/services';

/**
 * Tells systemd how `flowcast serve` is doing (sd_notify): READY=1 once the flows are started,
 * WATCHDOG=1 while the manager's event loop runs, STATUS= in words, STOPPING=1 on the way out.
 *
 * sd_notify is a datagram on the unix socket named by $NOTIFY_SOCKET, and Node has no unix
 * datagram sockets. Rather than a native addon in core for one sendto(), the notifications go
 * through systemd's own `systemd-notify`, which is there wherever systemd is (and so wherever
 * NOTIFY_SOCKET is set); it waits until systemd has read the message (systemd 246 and later), so
 * the message is not lost when the short-lived sender exits. Because the sender is a child
 * process, the unit needs `NotifyAccess=all` (docs/operations.md has the unit file).
 */
export class SystemdNotifier {
  private watchdogTimer?: NodeJS.Timeout;
  private warned = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
    private readonly command = 'systemd-notify',
  ) {}

  /** Whether systemd asked to be told (NOTIFY_SOCKET is set). */
  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  ready(status: string): void {
    this.send(['--ready', `--status=${status}`]);
  }

  status(status: string): void {
    this.send([`--status=${status}`]);
  }

  stopping(): void {
    this.stopWatchdog();
    this.send(['STOPPING=1']);
  }

  /**
   * Ping the watchdog at half the interval systemd asked for (WatchdogSec= gives WATCHDOG_USEC),
   * as long as `healthy()` says so: a manager whose event loop is stuck pings no more and is
   * restarted by systemd.
   */
  startWatchdog(healthy: () => boolean): void {
    const usec = Number(this.env.WATCHDOG_USEC);
    const forPid = this.env.WATCHDOG_PID === undefined || Number(this.env.WATCHDOG_PID) === process.pid;
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0 || !forPid) return;
    this.watchdogTimer = setInterval(() => {
      if (healthy()) this.send(['WATCHDOG=1']);
    }, Math.max(50, usec / 1000 / 2));
    this.watchdogTimer.unref();
  }

  stopWatchdog(): void {
    clearInterval(this.watchdogTimer);
  }

  private send(args: string[]): void {
    if (!this.enabled) return;
    execFile(this.command, args, { env: this.env, timeout: 5000 }, (error) => {
      if (!error || this.warned) return;
      this.warned = true;
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      this.logger.warn(
        missing
          ? `NOTIFY_SOCKET is set but ${this.command} is not installed: systemd is not told that flowcast is ready (install the systemd package, or use Type=simple)`
          : `${this.command} failed: ${error.message.trim()} (is NotifyAccess=all set in the unit?)`,
      );
    });
  }
}
