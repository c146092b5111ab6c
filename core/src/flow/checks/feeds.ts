import type { RegistryComponent } from '../../registry/types';
import type { FlowComponentSource, ResolvedComponent } from '../types';
import { componentPath, type CheckContext, type TypedComponents } from './context';

export type ResolvedEats = ResolvedComponent['eats'];

/**
 * Resolve every `eats` to (eater, component:feeder) pairs: the names must exist, a single eater
 * takes one feed, and every required eater is fed.
 */
export function resolveFeeds(ctx: CheckContext, typed: TypedComponents): Map<string, ResolvedEats> {
  const resolved = new Map<string, ResolvedEats>();
  const names = ctx.source.components.map((c) => c.name);
  for (const component of ctx.source.components) {
    const descriptor = typed.get(component.name);
    if (!descriptor) continue;
    const eats = resolveComponentFeeds(ctx, component, descriptor, typed, names);
    if (eats) resolved.set(component.name, eats);
  }
  return resolved;
}

function resolveComponentFeeds(
  ctx: CheckContext,
  component: FlowComponentSource,
  descriptor: RegistryComponent,
  typed: TypedComponents,
  names: string[],
): ResolvedEats | undefined {
  const report = ctx.reporter.report.bind(ctx.reporter);
  const eats: ResolvedEats = descriptor.eaters.map((e) => ({ eater: e.name, feeds: [] }));
  let ok = true;
  for (const entry of component.eats) {
    const eater = entry.eater ?? defaultEater(descriptor);
    const slot = eats.find((e) => e.eater === eater);
    const at = entry.feeds[0]?.at ?? componentPath(component.name, 'eats');
    if (descriptor.eaters.length === 0) {
      report('FC_NOTHING_TO_EAT', `a ${descriptor.type} has no eaters, so it cannot eat anything`, at, { component: component.name });
      return undefined;
    }
    if (!slot) {
      const list = descriptor.eaters.map((e) => e.name).join(', ');
      report('FC_UNKNOWN_EATER', eater === undefined ? `${descriptor.type} has several eaters (${list}): name the eater, as in eats: { ${descriptor.eaters[0]?.name}: feed }` : `${descriptor.type} has no eater "${eater}" (it has ${list})`, at, {
        component: component.name,
      });
      ok = false;
      continue;
    }
    for (const feed of entry.feeds) {
      if (!names.includes(feed.component)) {
        report('FC_UNKNOWN_FEED', `eats "${feed.component}", but this flow has no component of that name (it has ${names.join(', ')})`, feed.at, { component: component.name });
        ok = false;
        continue;
      }
      const producer = typed.get(feed.component);
      if (!producer) {
        ok = false; // Its own type error is reported already.
        continue;
      }
      const feeder = feed.feeder ?? producer.feeders[0]?.name;
      if (!feeder || !producer.feeders.some((f) => f.name === feeder)) {
        const list = producer.feeders.map((f) => f.name).join(', ');
        report('FC_UNKNOWN_FEED', feeder ? `"${feed.component}" (${producer.type}) has no feeder "${feeder}" (it has ${list || 'none'})` : `"${feed.component}" (${producer.type}) produces nothing to eat`, feed.at, {
          component: component.name,
        });
        ok = false;
        continue;
      }
      slot.feeds.push({ component: feed.component, feeder });
    }
  }
  for (const spec of descriptor.eaters) {
    const slot = eats.find((e) => e.eater === spec.name);
    const count = slot?.feeds.length ?? 0;
    if (count > 1 && !spec.multiple) {
      report('FC_EATER_SINGLE', `eater "${spec.name}" of ${descriptor.type} takes one feed, but ${count} are given`, componentPath(component.name, 'eats'), { component: component.name });
      ok = false;
    }
    if (count === 0 && (spec.required ?? true) && ok) {
      report('FC_EATER_UNFED', `eater "${spec.name}" of ${descriptor.type} is required but nothing feeds it (it accepts ${spec.accepts.join(', ')})`, componentPath(component.name), {
        component: component.name,
        at: 'key',
      });
      ok = false;
    }
  }
  return ok ? eats : undefined;
}

export function defaultEater(descriptor: RegistryComponent): string | undefined {
  if (descriptor.eaters.length === 1) return descriptor.eaters[0]?.name;
  return descriptor.eaters.find((e) => e.name === 'default')?.name;
}
