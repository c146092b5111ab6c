import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM_FLAGS } from './headless-chromium';

const FLAGS = [...CHROMIUM_FLAGS, '--window-size=1200,1000'];

/**
 * Headless Chromium driven through the DevTools protocol over its pipe (--remote-debugging-pipe:
 * JSON messages ended by NUL on file descriptors 3 and 4), with one page: enough to load a page,
 * run script in it (click, read), and take screenshots, with no extra dependency.
 */
export class ChromiumPage {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private sessionId?: string;

  private constructor(private readonly child: ChildProcess) {
    let buffered = '';
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        buffered = buffered.slice(end + 1);
        const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
        if (!waiter) continue;
        this.pending.delete(message.id!);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message.result ?? {});
      }
    });
  }

  static async open(profile: string): Promise<ChromiumPage> {
    const child = spawn('chromium', [...FLAGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const page = new ChromiumPage(child);
    let targets: { targetId: string; type: string }[] = [];
    for (let i = 0; i < 50 && !targets.some((t) => t.type === 'page'); i++) {
      targets = ((await page.send('Target.getTargets')).targetInfos as typeof targets) ?? [];
      if (!targets.some((t) => t.type === 'page')) await new Promise((r) => setTimeout(r, 100));
    }
    const target = targets.find((t) => t.type === 'page');
    if (!target) throw new Error('chromium opened no page');
    page.sessionId = (await page.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })).sessionId as string;
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    return page;
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(JSON.stringify({ id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) }) + '\0');
    });
  }

  async navigate(url: string): Promise<void> {
    await this.send('Page.navigate', { url });
    await this.waitUntil('document.readyState === "complete"', 10_000);
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (answer.exceptionDetails) throw new Error(`in the page: ${JSON.stringify(answer.exceptionDetails).slice(0, 500)}`);
    return (answer.result as { value: T }).value;
  }

  /** Wait until the expression is truthy in the page. */
  async waitUntil(expression: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.evaluate<boolean>(`Boolean(${expression})`).catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`the page did not come to ${expression} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async screenshot(): Promise<Buffer> {
    return Buffer.from((await this.send('Page.captureScreenshot', { format: 'png' })).data as string, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
