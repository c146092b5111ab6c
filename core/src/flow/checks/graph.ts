import { componentPath, type CheckContext } from './context';
import type { ResolvedEats } from './feeds';

/**
 * Order components upstream first, reporting each cycle once. Pure over the eats map.
 * Returns undefined when there is a cycle.
 */
export function orderComponents(ctx: CheckContext, eats: ReadonlyMap<string, ResolvedEats>): string[] | undefined {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  let cyclic = false;
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      ctx.reporter.report('FC_FEED_CYCLE', `feeds go round in a cycle: ${cycle.join(' → ')}`, componentPath(name, 'eats'), { component: name });
      cyclic = true;
      return;
    }
    state.set(name, 'visiting');
    for (const slot of eats.get(name) ?? []) for (const feed of slot.feeds) visit(feed.component, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const component of ctx.source.components) visit(component.name, []);
  return cyclic ? undefined : order;
}
