import fs from 'node:fs';
import type { Registry } from '../registry/registry';
import { SchemaCompiler } from '../registry/schema-compiler';
import { checkClaims } from './checks/claims';
import type { CheckContext } from './checks/context';
import { resolveFeeds } from './checks/feeds';
import { orderComponents } from './checks/graph';
import { checkMedia } from './checks/media';
import { checkProperties } from './checks/properties';
import { checkTypes } from './checks/types';
import { parseFlow } from './parse';
import type { Diagnostic, ResolvedComponent, ResolvedFlow } from './types';

export interface FlowValidation {
  diagnostics: Diagnostic[];
  /** Present only when there is no error. */
  flow?: ResolvedFlow;
}

/** Read and check a flow file; every problem is reported, not only the first. */
export function validateFlowFile(file: string, registry: Registry): FlowValidation {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { diagnostics: [{ severity: 'error', code: 'FC_FLOW_READ', message: `cannot read the flow file: ${reason}`, fix: 'Check the path and that the file is readable', file, line: 1, col: 1 }] };
  }
  return validateFlowText(text, file, registry);
}

export function validateFlowText(text: string, file: string, registry: Registry, compiler = new SchemaCompiler()): FlowValidation {
  const { source, reporter } = parseFlow(text, file);
  if (!source) return { diagnostics: reporter.diagnostics };
  const ctx: CheckContext = { source, registry, compiler, reporter };

  const typed = checkTypes(ctx);
  const properties = checkProperties(ctx, typed);
  const eats = resolveFeeds(ctx, typed);
  const order = orderComponents(ctx, eats);
  checkMedia(ctx, typed, eats);
  checkClaims(ctx, typed, properties);
  // Only worth saying when the flow is otherwise sound: an unknown feed would also show up here.
  if (!reporter.hasErrors()) warnUnusedOutputs(ctx, eats);

  const diagnostics = [...reporter.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  if (reporter.hasErrors() || !order) return { diagnostics };
  const components: ResolvedComponent[] = order.map((name) => {
    const component = source.components.find((c) => c.name === name)!;
    return { name, type: component.type, descriptor: typed.get(name)!, properties: properties.get(name)!, eats: eats.get(name)! };
  });
  return { diagnostics, flow: { file, name: source.name, components } };
}

/** A component with outputs that nothing eats does work for nobody; say so, but let it run. */
function warnUnusedOutputs(ctx: CheckContext, eats: ReadonlyMap<string, { feeds: { component: string }[] }[]>): void {
  const eaten = new Set<string>();
  for (const slots of eats.values()) for (const slot of slots) for (const feed of slot.feeds) eaten.add(feed.component);
  for (const component of ctx.source.components) {
    const descriptor = ctx.registry.find(component.type);
    if (!descriptor || descriptor.feeders.length === 0 || eaten.has(component.name)) continue;
    ctx.reporter.report('FC_FEED_UNUSED', `nothing in this flow eats the output of "${component.name}"`, ['components', component.name], {
      component: component.name,
      at: 'key',
      severity: 'warning',
    });
  }
}
