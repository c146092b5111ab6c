/** The last lines of the server's log (manager and workers), and whoever follows them live. */
export class LogTail {
  private readonly lines: string[] = [];
  private readonly followers = new Set<(line: string) => void>();
  /** Bytes of a worker's output after its last newline, by source, until the line is complete. */
  private readonly partial = new Map<string, string>();

  constructor(private readonly keep = 1000) {}

  /** One complete line. */
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    for (const follower of this.followers) follower(line);
  }

  /** Output as it comes from a process (lines may arrive in pieces). */
  addOutput(source: string, chunk: string): void {
    const text = (this.partial.get(source) ?? '') + chunk;
    const parts = text.split('\n');
    const rest = parts.pop()!;
    if (rest) this.partial.set(source, rest.slice(-65536));
    else this.partial.delete(source);
    for (const line of parts) if (line) this.add(line);
  }

  tail(count: number): string[] {
    return this.lines.slice(-count);
  }

  follow(listener: (line: string) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }
}
