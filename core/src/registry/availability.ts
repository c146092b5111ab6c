import { spawnSync } from 'node:child_process';
import type { ElementRequirement } from './types';

/** Answers "does this GStreamer element exist here?", asking gst-inspect-1.0 once per element. */
export class ElementProbe {
  private readonly known = new Map<string, boolean>();
  private inspectMissing = false;

  exists(element: string): boolean {
    const cached = this.known.get(element);
    if (cached !== undefined) return cached;
    const result = spawnSync('gst-inspect-1.0', ['--exists', element], { stdio: 'ignore', timeout: 20_000 });
    if (result.error) this.inspectMissing = true;
    const exists = result.status === 0;
    this.known.set(element, exists);
    return exists;
  }

  /** Why a component with these requirements cannot run here, or undefined when it can. */
  unavailableReason(requirements: readonly ElementRequirement[]): string | undefined {
    const missing = requirements.filter((r) => !r.bundled && !this.exists(r.element));
    if (missing.length === 0) return undefined;
    if (this.inspectMissing) {
      return 'gst-inspect-1.0 was not found, so GStreamer elements cannot be checked: apt-get install gstreamer1.0-tools';
    }
    const packages = [...new Set(missing.map((r) => r.debian).filter((p): p is string => !!p))];
    const names = missing.map((r) => r.element).join(', ');
    return packages.length > 0
      ? `GStreamer element${missing.length > 1 ? 's' : ''} ${names} missing: apt-get install ${packages.join(' ')}`
      : `GStreamer element${missing.length > 1 ? 's' : ''} ${names} missing: install the GStreamer plugin that provides ${missing.length > 1 ? 'them' : 'it'}`;
  }
}
