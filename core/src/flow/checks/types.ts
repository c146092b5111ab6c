import { qualifiedName, type Registry } from '../../registry/registry';
import type { RegistryComponent } from '../../registry/types';
import { componentPath, type CheckContext, type TypedComponents } from './context';

/**
 * Each component's type must name one registered component that can run here. An unknown type
 * says which package provides it, or which broken plugin may have been meant to.
 */
export function checkTypes({ source, registry, reporter }: CheckContext): TypedComponents {
  const typed = new Map<string, RegistryComponent>();
  for (const component of source.components) {
    const at = componentPath(component.name, 'type');
    const where = { component: component.name };
    const found = registry.lookup(component.type);
    if (found.kind === 'ambiguous') {
      const names = found.candidates.map((c) => `"${qualifiedName(c)}"`);
      reporter.report('FC_AMBIGUOUS_TYPE', `component type "${component.type}" is provided by ${found.candidates.map((c) => c.package).join(' and ')}`, at, {
        ...where,
        fix: `write ${names.join(' or ')}`,
      });
    } else if (found.kind === 'missing') {
      reportMissing(registry, component.type, at, where, reporter);
    } else if (!found.component.available) {
      reporter.report('FC_UNAVAILABLE_TYPE', `component type "${component.type}" is unavailable here: ${found.component.reason ?? 'unknown reason'}`, at, where);
    } else {
      typed.set(component.name, found.component);
    }
  }
  return typed;
}

function reportMissing(registry: Registry, type: string, at: (string | number)[], where: { component: string }, reporter: CheckContext['reporter']): void {
  const broken = registry.brokenProviderOf(type);
  if (broken) {
    reporter.report('FC_BROKEN_PLUGIN', `component type "${type}" comes from the plugin ${broken.name} ${broken.version}, which cannot be used: ${broken.problem}`, at, where);
    return;
  }
  const provider = registry.providerOf(type);
  if (provider) {
    reporter.report('FC_UNKNOWN_TYPE', `unknown component type "${type}": it is provided by the package ${provider}, which is not installed here`, at, {
      ...where,
      fix: `run \`flowcast plugin add ${provider}\``,
    });
    return;
  }
  const known = registry.list().map((c) => (registry.isUnique(c.type) ? c.type : qualifiedName(c))).join(', ');
  // A plugin whose manifest throws on import declares no types we can read: name it, it may be the one.
  const unreadable = registry.brokenPackages().filter((p) => !p.types?.length);
  const suspects = unreadable.length ? `; these plugins could not be loaded and may provide it: ${unreadable.map((p) => `${p.name} (${p.problem})`).join('; ')}` : '';
  reporter.report('FC_UNKNOWN_TYPE', `unknown component type "${type}" (known types: ${known})${suspects}`, at, where);
}
