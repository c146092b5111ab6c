import { LineCounter, parseDocument } from 'yaml';
import { Reporter } from './reporter';
import { SourceMap } from './source-map';
import type { FeedRef, FlowComponentSource, FlowSource, SourceFeedRef } from './types';

export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FLOW_KEYS = new Set(['name', 'description', 'components']);
const COMPONENT_KEYS = new Set(['type', 'eats', 'properties', 'description']);

export interface ParsedFlow {
  source?: FlowSource;
  reporter: Reporter;
}

/**
 * Read a flow file's text into a FlowSource: YAML syntax, then the shape of the file. Every
 * problem found is reported; the source is returned only when the shape is usable.
 */
export function parseFlow(text: string, file: string): ParsedFlow {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const reporter = new Reporter(file, new SourceMap(doc, lines));
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = lines.linePos(error.pos[0]);
      reporter.add({ severity: 'error', code: 'FC_YAML_SYNTAX', message: error.message.split('\n')[0] ?? 'YAML syntax error', fix: 'Fix the YAML syntax at the position shown', file, line: pos.line, col: pos.col });
    }
    return { reporter };
  }
  const data = doc.toJS() as unknown;
  if (!isObject(data)) {
    reporter.report('FC_FLOW_SHAPE', 'the file must be a map with `name` and `components`', []);
    return { reporter };
  }
  for (const key of Object.keys(data)) {
    if (!FLOW_KEYS.has(key)) reporter.report('FC_FLOW_SHAPE', `unknown key "${key}" (a flow has name, description, components)`, [key], { at: 'key' });
  }
  if (typeof data.name !== 'string' || !NAME_PATTERN.test(data.name)) {
    reporter.report('FC_FLOW_SHAPE', '`name` must be a kebab-case word such as "radio"', ['name']);
  }
  if (!isObject(data.components) || Object.keys(data.components).length === 0) {
    reporter.report('FC_FLOW_SHAPE', '`components` must map component names to { type, eats, properties }', ['components']);
    return { reporter };
  }
  const components: FlowComponentSource[] = [];
  for (const [name, raw] of Object.entries(data.components)) {
    const component = parseComponent(name, raw, reporter);
    if (component) components.push(component);
  }
  return { reporter, source: { file, name: String(data.name), components } };
}

function parseComponent(name: string, raw: unknown, reporter: Reporter): FlowComponentSource | undefined {
  const path = ['components', name];
  if (!NAME_PATTERN.test(name)) {
    reporter.report('FC_COMPONENT_NAME', `component name "${name}" must be kebab-case`, path, { at: 'key', component: name });
  }
  if (!isObject(raw)) {
    reporter.report('FC_FLOW_SHAPE', 'a component is a map with `type` and optionally `eats` and `properties`', path, { component: name });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!COMPONENT_KEYS.has(key)) {
      reporter.report('FC_FLOW_SHAPE', `unknown key "${key}" (a component has type, eats, properties, description)`, [...path, key], { at: 'key', component: name });
    }
  }
  if (typeof raw.type !== 'string') {
    reporter.report('FC_FLOW_SHAPE', '`type` is required: the component type, as `flowcast registry` lists them', [...path, 'type'], { component: name });
    return undefined;
  }
  const properties = raw.properties ?? {};
  if (!isObject(properties)) {
    reporter.report('FC_FLOW_SHAPE', '`properties` must be a map of property names to values', [...path, 'properties'], { component: name });
    return undefined;
  }
  const eats = parseEats(raw.eats, name, reporter);
  return eats ? { name, type: raw.type, eats, properties } : undefined;
}

/**
 * `eats` is a feed (`mic`, `mic:audio`), a list of feeds, or a map from eater name to a feed or
 * a list of feeds.
 */
function parseEats(raw: unknown, component: string, reporter: Reporter): FlowComponentSource['eats'] | undefined {
  const path = ['components', component, 'eats'];
  if (raw === undefined || raw === null) return [];
  const asFeeds = (value: unknown, at: (string | number)[]): SourceFeedRef[] | undefined => {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (!list.every((v): v is string => typeof v === 'string')) return undefined;
    return list.map((text, i) => ({ ...parseFeedRef(text), at: Array.isArray(value) ? [...at, i] : at }));
  };
  const direct = typeof raw === 'string' || Array.isArray(raw) ? asFeeds(raw, path) : undefined;
  if (direct) return [{ feeds: direct }];
  if (isObject(raw)) {
    const byEater: FlowComponentSource['eats'] = [];
    for (const [eater, value] of Object.entries(raw)) {
      const feeds = asFeeds(value, [...path, eater]);
      if (!feeds) {
        reporter.report('FC_FLOW_SHAPE', `eater "${eater}" must name a feed or a list of feeds`, [...path, eater], { component });
        return undefined;
      }
      byEater.push({ eater, feeds });
    }
    return byEater;
  }
  reporter.report('FC_FLOW_SHAPE', '`eats` must name a feed (`mic`, `mic:audio`), a list of feeds, or a map of eater names to feeds', path, { component });
  return undefined;
}

export function parseFeedRef(text: string): FeedRef {
  const [component = '', feeder] = text.split(':', 2);
  return feeder === undefined ? { component } : { component, feeder };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
