import type { MountOptions } from '../api/services';

export type Mounted = Pick<MountOptions, 'handler' | 'stream' | 'prefix'>;

/**
 * The mounts of one port by path. An exact mount matches its path only; a prefix mount also
 * matches every path below it. The most specific match wins: an exact mount, then the longest
 * prefix.
 */
export class MountTable<T extends { readonly prefix?: boolean } = Mounted> {
  private readonly byPath = new Map<string, T>();

  get size(): number {
    return this.byPath.size;
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  get(path: string): T | undefined {
    return this.byPath.get(path);
  }

  entries(): IterableIterator<[string, T]> {
    return this.byPath.entries();
  }

  set(path: string, mounted: T): void {
    this.byPath.set(path, mounted);
  }

  delete(path: string): void {
    this.byPath.delete(path);
  }

  /** The mount that serves a request path (already decoded of its query), if any. */
  find(path: string): T | undefined {
    const exact = this.byPath.get(path);
    if (exact) return exact;
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const mounted = this.byPath.get(path.slice(0, end));
      if (mounted?.prefix) return mounted;
    }
    return undefined;
  }
}
