import type { TypedComponents, CheckContext } from './context';
import { componentPath } from './context';
import type { ResolvedEats } from './feeds';
import { listInWords } from './media-names';

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
          `feed "${feed.component}:${feed.feeder}" produces ${produces.join(', ')}, but eater "${slot.eater}" of ${consumer?.type} accepts ${accepts.join(', ')}: ` +
            `${listInWords(produces)} cannot go into ${consumer?.type}, which takes ${listInWords(accepts)}`,
          componentPath(name, 'eats'),
          { component: name, ...fixFor(converters, alternatives(ctx, consumer?.type, consumer?.kind, produces)) },
        );
      }
    }
  }
}

/** Components of the same kind as `type` that would take `produces` (another muxer, another streamer). */
function alternatives(ctx: CheckContext, type: string | undefined, kind: string | undefined, produces: readonly string[]): { kind: string; types: string[]; what: string } | undefined {
  if (!kind) return undefined;
  const types = ctx.registry
    .list()
    .filter((c) => c.kind === kind && c.type !== type && c.eaters.some((e) => compatible(produces, e.accepts)))
    .map((c) => c.type);
  return types.length ? { kind, types, what: listInWords(produces) } : undefined;
}

function fixFor(converters: readonly string[], other: ReturnType<typeof alternatives>): { fix?: string } {
  if (converters.length) return { fix: `put a component between them that converts the media, such as ${converters.join(' or ')}` };
  if (other) return { fix: `use a ${other.kind} that takes ${other.what}, such as ${other.types.join(' or ')}, or put an encoder or muxer between them` };
  return {};
}
