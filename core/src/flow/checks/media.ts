import type { TypedComponents, CheckContext } from './context';
import { componentPath } from './context';
import type { ResolvedEats } from './feeds';

/** `audio/*` matches `audio/x-raw`; `*` matches anything. */
export function mediaMatches(pattern: string, mediaType: string): boolean {
  if (pattern === '*' || pattern === mediaType) return true;
  return pattern.endsWith('/*') && mediaType.startsWith(pattern.slice(0, -1));
}

export function compatible(produces: readonly string[], accepts: readonly string[]): boolean {
  return produces.some((p) => accepts.some((a) => mediaMatches(a, p) || mediaMatches(p, a)));
}

/** What a feeder produces must be something its eater accepts. */
export function checkMedia(ctx: CheckContext, typed: TypedComponents, eats: ReadonlyMap<string, ResolvedEats>): void {
  for (const [name, slots] of eats) {
    const consumer = typed.get(name);
    for (const slot of slots) {
      const accepts = consumer?.eaters.find((e) => e.name === slot.eater)?.accepts ?? [];
      for (const feed of slot.feeds) {
        const producer = typed.get(feed.component);
        const produces = producer?.feeders.find((f) => f.name === feed.feeder)?.produces ?? [];
        if (compatible(produces, accepts)) continue;
        const converters = ctx.registry
          .list()
          .filter((c) => c.eaters.some((e) => compatible(produces, e.accepts)) && c.feeders.some((f) => compatible(f.produces, accepts)))
          .map((c) => c.type);
        ctx.reporter.report(
          'FC_MEDIA_MISMATCH',
          `feed "${feed.component}:${feed.feeder}" produces ${produces.join(', ')}, but eater "${slot.eater}" of ${consumer?.type} accepts ${accepts.join(', ')}`,
          componentPath(name, 'eats'),
          { component: name, ...(converters.length ? { fix: `put a component between them that converts the media, such as ${converters.join(' or ')}` } : {}) },
        );
      }
    }
  }
}
