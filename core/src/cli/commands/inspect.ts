import type { PropertyFieldSchema } from '../../api/schema';
import { qualifiedName } from '../../registry/registry';
import type { RegistryComponent } from '../../registry/types';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot, loadRegistry } from '../project';

export const INSPECT_HELP = `Usage: flowcast inspect TYPE

Show one component type as gst-inspect-1.0 shows an element: its package, kind, availability,
eaters and feeders with their media types, and each property's type, range, default and meaning.`;

export function inspectCommand(type: string | undefined, options: { project?: string }, io: CommandIO): number {
  if (!type) {
    io.err('flowcast inspect: name a component type (flowcast registry lists them)');
    return EXIT.invalid;
  }
  const registry = loadRegistry(findProjectRoot(options.project, io.cwd), io.env);
  const found = registry.lookup(type);
  if (found.kind === 'ambiguous') {
    io.err(`FC_AMBIGUOUS_TYPE: component type "${type}" is provided by ${found.candidates.map((c) => c.package).join(' and ')}. Fix: name one of ${found.candidates.map(qualifiedName).join(', ')}`);
    return EXIT.invalid;
  }
  if (found.kind === 'missing') {
    const broken = registry.brokenProviderOf(type);
    const provider = registry.providerOf(type);
    const why = broken ? `; it comes from ${broken.name}, which cannot be used: ${broken.problem}` : provider ? `; it is provided by ${provider}, which is not installed` : '';
    io.err(`FC_UNKNOWN_TYPE: no component type "${type}"${why}. Fix: run \`flowcast plugin list\` to list the plugins and their types`);
    return EXIT.invalid;
  }
  for (const line of describeComponent(found.component)) io.out(line);
  return EXIT.ok;
}

export function describeComponent(c: RegistryComponent): string[] {
  const lines = [
    `Component: ${c.type}`,
    `  Description:  ${c.description}`,
    `  Kind:         ${c.kind}`,
    `  Package:      ${c.package} ${c.version}`,
    `  Elements:     ${c.elements.map((e) => (e.bundled ? `${e.element} (bundled)` : e.element)).join(', ')}`,
    `  Availability: ${c.available ? 'available' : `unavailable: ${c.reason}`}`,
    '',
    'Eaters:',
    ...(c.eaters.length ? c.eaters.map((e) => `  ${e.name.padEnd(12)} ${e.required === false ? 'optional' : 'required'}, ${e.multiple ? 'several feeds' : 'one feed'}; accepts ${e.accepts.join(', ')}`) : ['  none']),
    '',
    'Feeders:',
    ...(c.feeders.length ? c.feeders.map((f) => `  ${f.name.padEnd(12)} produces ${f.produces.join(', ')}`) : ['  none']),
    '',
    'Properties:',
  ];
  const required = new Set(c.properties.required ?? []);
  const entries = Object.entries(c.properties.properties);
  if (entries.length === 0) lines.push('  none');
  for (const [name, schema] of entries) {
    lines.push(`  ${name.padEnd(18)}: ${schema.description ?? ''}`);
    lines.push(`  ${''.padEnd(18)}  ${describeType(schema)}${required.has(name) ? '. Required' : ''}${schema['x-live'] ? '. Changeable while running' : ''}`);
  }
  for (const group of c.exclusive) lines.push('', `  Set at most one of: ${group.join(', ')}`);
  return lines;
}

function describeType(s: PropertyFieldSchema): string {
  const parts = [s.enum ? `enum (${s.enum.map((v) => JSON.stringify(v)).join(', ')})` : (s.type ?? 'any')];
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`Range: ${s.minimum ?? '-∞'} - ${s.maximum ?? '∞'}`);
  if (s.pattern) parts.push(s['x-pattern-description'] ? `Format: ${s['x-pattern-description']}` : `Pattern: ${s.pattern}`);
  const items = s.items as PropertyFieldSchema | undefined;
  if (s.type === 'array' && items) parts.push(`Each: ${describeType({ ...items, default: undefined }).replace(/\. No default$/, '')}`);
  if (s['x-unit']) parts.push(`Unit: ${s['x-unit']}`);
  parts.push(s.default !== undefined ? `Default: ${JSON.stringify(s.default)}` : 'No default');
  return parts.join('. ');
}
