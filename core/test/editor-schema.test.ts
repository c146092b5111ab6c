import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { compareEditorSchema } from '../src/flow/editor-schema-compare';
import { UNAVAILABLE_NOTE } from '../src/flow/editor-schema-describe';
import { flowEditorSchema, renderEditorSchema, type JsonSchema } from '../src/flow/editor-schema';
import { validateFlowText } from '../src/flow/validate';
import { openRegistry } from '../src/registry/open-registry';
import { Registry } from '../src/registry/registry';
import type { RegistryComponent } from '../src/registry/types';
import { runCli } from '../src/testing/flow-process';
import { CORE_DIRECTORY, CORE_VERSION } from '../src/version';
import { descriptor, tempProject, writePlugin } from './helpers/temp-plugin';

const ROOT = path.join(CORE_DIRECTORY, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'bad-flows');
const registry = openRegistry({ projectRoot: ROOT, coreVersion: CORE_VERSION, write: false });
const fresh = flowEditorSchema(registry);
const DEFAULT_FLOW = fs.readFileSync(path.join(ROOT, 'flows', 'default.yaml'), 'utf8');

/**
 * Strict, as a careful consumer would compile it: any unknown keyword throws, so the x-unit and
 * x-secret of plugin schemas must be gone. The editor keywords of VS Code are declared, and union
 * types (`properties: null` is accepted by validate) allowed.
 */
function compile(schema: JsonSchema): ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  for (const keyword of ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions']) ajv.addKeyword(keyword);
  return ajv.compile(schema);
}

const check = compile(fresh);

/** The schema's errors for a flow's text, as `path keyword` ("if" errors only repeat their "then"). */
function schemaErrors(yaml: string, validate: ValidateFunction = check): string[] {
  if (validate(parse(yaml) as unknown)) return [];
  return (validate.errors ?? []).filter((e: ErrorObject) => e.keyword !== 'if').map((e) => `${e.instancePath} ${e.keyword}`);
}

function validateErrors(yaml: string, reg: Registry = registry): string[] {
  return validateFlowText(yaml, 'flow.yaml', reg).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
}

const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

test('the committed flow.schema.json compiles with strict ajv, matches the registry, and every flows/*.yaml passes it', () => {
  const text = fs.readFileSync(path.join(ROOT, 'flow.schema.json'), 'utf8');
  assert.doesNotMatch(text, /"x-unit"|"x-secret"/);
  const committed = compile(JSON.parse(text) as JsonSchema);
  assert.notEqual(compareEditorSchema(text, fresh).kind, 'stale', 'run `npm run registry`');
  const flows = fs.readdirSync(path.join(ROOT, 'flows')).filter((name) => name.endsWith('.yaml'));
  assert.ok(flows.length > 0);
  for (const name of flows) {
    const yaml = fs.readFileSync(path.join(ROOT, 'flows', name), 'utf8');
    assert.match(yaml, /^# yaml-language-server: \$schema=\.\.\/flow\.schema\.json\n/, `${name} names the schema on its first line`);
    assert.deepEqual(validateErrors(yaml), [], `${name} is a valid flow`);
    assert.deepEqual(schemaErrors(yaml, committed), [], `${name} passes the committed schema`);
    assert.deepEqual(schemaErrors(yaml), [], `${name} passes the fresh schema`);
  }
});

// What validate refuses about one component at a time, the schema refuses too, at the same place.
const REFUSED_BY_BOTH: [what: string, yaml: string, validateCode: string, schemaError: string][] = [
  ['unknown-property.yaml', fixture('unknown-property.yaml'), 'FC_PROPERTY_INVALID', '/components/tone/properties additionalProperties'],
  ['bad-property.yaml', fixture('bad-property.yaml'), 'FC_PROPERTY_INVALID', '/components/encoder/properties/quality maximum'],
  ['unknown-type.yaml', fixture('unknown-type.yaml'), 'FC_UNKNOWN_TYPE', '/components/encoder/type enum'],
  ['unfed-eater.yaml', fixture('unfed-eater.yaml'), 'FC_EATER_UNFED', '/components/web required'],
  ['both of an exclusive pair', DEFAULT_FLOW.replace('quality: 0.4', 'quality: 0.4, bitrate: 64000'), 'FC_PROPERTY_INVALID', '/components/encoder/properties/bitrate false schema'],
  ['a property of the wrong type', DEFAULT_FLOW.replace('port: 8800', 'port: "8800"'), 'FC_PROPERTY_INVALID', '/components/web/properties/port type'],
  ['an enum value not in the list', DEFAULT_FLOW.replace('wave: sine', 'wave: sinus'), 'FC_PROPERTY_INVALID', '/components/tone/properties/wave enum'],
  ['an unknown top-level key', `${DEFAULT_FLOW}version: 2\n`, 'FC_FLOW_SHAPE', ' additionalProperties'],
  ['a name that is not kebab-case', DEFAULT_FLOW.replace('name: default', 'name: Default'), 'FC_FLOW_SHAPE', '/name pattern'],
  ['a component name that is not kebab-case', DEFAULT_FLOW.replace('  tone:', '  Tone:').replace('eats: tone', 'eats: Tone'), 'FC_COMPONENT_NAME', '/components propertyNames'],
  ['an unknown component key', DEFAULT_FLOW.replace('    eats: muxer', '    eats: muxer\n    feeds: nothing'), 'FC_FLOW_SHAPE', '/components/web additionalProperties'],
  ['a component without type', DEFAULT_FLOW.replace('    type: muxer-ogg\n', ''), 'FC_FLOW_SHAPE', '/components/muxer required'],
  ['eats that is a number', DEFAULT_FLOW.replace('eats: encoder', 'eats: 5'), 'FC_FLOW_SHAPE', '/components/muxer/eats anyOf'],
  ['two feeds into a single eater', DEFAULT_FLOW.replace('eats: muxer', 'eats: [muxer, encoder]'), 'FC_EATER_SINGLE', '/components/web/eats anyOf'],
  ['an unknown eater', DEFAULT_FLOW.replace('eats: encoder', 'eats: { extra: encoder }'), 'FC_UNKNOWN_EATER', '/components/muxer/eats anyOf'],
  ['eats on a producer', DEFAULT_FLOW.replace('    type: producer-test\n', '    type: producer-test\n    eats: web\n'), 'FC_NOTHING_TO_EAT', '/components/tone/eats type'],
];

for (const [what, yaml, code, schemaError] of REFUSED_BY_BOTH) {
  test(`validate and the schema both refuse ${what}`, () => {
    assert.ok(validateErrors(yaml).includes(code), `validate: ${validateErrors(yaml).join(', ')}`);
    const errors = schemaErrors(yaml);
    assert.ok(errors.includes(schemaError), `schema: ${errors.join(', ')}`);
  });
}

test('eats in each form validate accepts passes the schema', () => {
  const forms = [
    DEFAULT_FLOW.replace('eats: tone', 'eats: "tone:audio"'),
    DEFAULT_FLOW.replace('eats: encoder', 'eats: [encoder]'),
    DEFAULT_FLOW.replace('eats: encoder', 'eats: { default: [encoder] }'),
    DEFAULT_FLOW.replace('eats: muxer', 'eats: { default: muxer }'),
    DEFAULT_FLOW.replace('    type: producer-test\n', '    type: producer-test\n    eats:\n'),
    DEFAULT_FLOW.replace('    type: muxer-ogg\n', '    type: "@flowcast/muxer-ogg/muxer-ogg"\n    properties:\n'),
  ];
  for (const yaml of forms) {
    assert.deepEqual(validateErrors(yaml), [], yaml);
    assert.deepEqual(schemaErrors(yaml), [], yaml);
  }
});

// Feeds that name no component, cycles, media types and claims need the whole flow and the other
// components' feeders: beyond what a JSON Schema of one component can say. These stay with
// `flowcast validate`; the schema lets them through.
for (const name of ['unknown-feed.yaml', 'cycle.yaml', 'media-mismatch.yaml', 'port-mount-conflict.yaml']) {
  test(`${name}: validate refuses it, the schema cannot see why`, () => {
    assert.ok(validateErrors(fixture(name)).length > 0);
    assert.deepEqual(schemaErrors(fixture(name)), []);
  });
}

function component(type: string, pkg: string, fields: Partial<RegistryComponent> = {}): RegistryComponent {
  return {
    type,
    package: pkg,
    version: '1.0.0',
    kind: 'producer',
    description: `the ${type} of ${pkg}`,
    eaters: [],
    feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
    properties: { type: 'object', properties: {} },
    elements: [],
    claims: [],
    exclusive: [],
    implementation: 'impl.js',
    available: true,
    ...fields,
  };
}

function handWritten(components: RegistryComponent[]): Registry {
  const packages = [...new Set(components.map((c) => c.package))].map((name) => ({ name, version: '1.0.0', path: `plugins/${name}` }));
  return new Registry('/nonexistent', { format: 1, packages, components });
}

test('a type two packages provide is offered only as PACKAGE/TYPE, each with its own properties', () => {
  const twice = handWritten([
    component('tone', '@acme/tones', { properties: { type: 'object', properties: { pitch: { type: 'number' } } } }),
    component('tone', '@other/tones', { properties: { type: 'object', properties: { note: { type: 'string' } } } }),
    component('sink', '@acme/tones', { kind: 'consumer', feeders: [], eaters: [{ name: 'default', accepts: ['audio/x-raw'] }] }),
  ]);
  const schema = flowEditorSchema(twice);
  const typeSchema = ((schema.definitions as JsonSchema).component as { properties: { type: { enum: string[] } } }).properties.type;
  assert.deepEqual(typeSchema.enum, ['@acme/tones/sink', '@acme/tones/tone', '@other/tones/tone', 'sink']);
  const validate = compile(schema);
  const flow = (type: string, properties: string): string => `name: duo\ncomponents:\n  a: { type: ${type}, properties: ${properties} }\n  b: { type: sink, eats: a }\n`;

  assert.ok(schemaErrors(flow('tone', '{}'), validate).includes('/components/a/type enum'));
  assert.ok(validateErrors(flow('tone', '{}'), twice).includes('FC_AMBIGUOUS_TYPE'));
  for (const [type, good, bad] of [['"@acme/tones/tone"', '{ pitch: 440 }', '{ note: a }'], ['"@other/tones/tone"', '{ note: a }', '{ pitch: 440 }']] as const) {
    assert.deepEqual(schemaErrors(flow(type, good), validate), []);
    assert.deepEqual(validateErrors(flow(type, good), twice), []);
    assert.ok(schemaErrors(flow(type, bad), validate).includes('/components/a/properties additionalProperties'));
    assert.ok(validateErrors(flow(type, bad), twice).includes('FC_PROPERTY_INVALID'));
  }
});

test('an unavailable type is offered, its description says why, and --check ignores availability', () => {
  const reason = 'GStreamer element v4l2src missing: apt-get install gstreamer1.0-plugins-good';
  const camera = (available: boolean): Registry => handWritten([component('camera', '@acme/camera', available ? {} : { available: false, reason })]);
  const schema = flowEditorSchema(camera(false));
  const typeSchema = ((schema.definitions as JsonSchema).component as { properties: { type: { enum: string[]; enumDescriptions: string[]; markdownEnumDescriptions: string[] } } }).properties.type;
  assert.deepEqual(typeSchema.enum, ['@acme/camera/camera', 'camera']);
  for (const description of [...typeSchema.enumDescriptions, ...typeSchema.markdownEnumDescriptions]) assert.ok(description.endsWith(`\n\n${UNAVAILABLE_NOTE}${reason}`), description);
  // An editor must not flag a flow meant for a machine with a camera; validate, on this one, does.
  const flow = 'name: cam\ncomponents:\n  cam: { type: camera }\n';
  assert.deepEqual(schemaErrors(flow, compile(schema)), []);
  assert.deepEqual(validateErrors(flow, camera(false)), ['FC_UNAVAILABLE_TYPE']);

  const availableHere = flowEditorSchema(camera(true));
  assert.doesNotMatch(renderEditorSchema(availableHere), /Unavailable/);
  assert.equal(compareEditorSchema(renderEditorSchema(schema), availableHere).kind, 'same-but-availability');
  assert.equal(compareEditorSchema(renderEditorSchema(schema), schema).kind, 'same');
});

test('the output is deterministic: sorted, 2-space JSON with a final newline, whatever the registry order', () => {
  const components = [component('b-tone', '@z/b'), component('a-tone', '@y/a'), component('c-tone', '@x/c')];
  const text = renderEditorSchema(flowEditorSchema(handWritten(components)));
  assert.equal(renderEditorSchema(flowEditorSchema(handWritten([...components].reverse()))), text);
  assert.ok(text.startsWith('{\n  "$schema": "http://json-schema.org/draft-07/schema#",\n'));
  assert.ok(text.endsWith('}\n') && !text.endsWith('\n\n'));
  assert.equal(renderEditorSchema(fresh), renderEditorSchema(flowEditorSchema(registry)));
});

test('flowcast schema writes the file, --check finds it current, then stale once a plugin is added', async () => {
  const root = tempProject();
  const plugins = path.join(root, 'plugins');
  writePlugin(plugins, { name: 'tones', components: [descriptor('tone')] });
  const options = { cwd: root, env: { FLOWCAST_PLUGIN_PATH: plugins } };
  const file = path.join(root, 'flow.schema.json');

  const written = await runCli(['schema'], options);
  assert.equal(written.code, 0, written.stderr);
  assert.match(written.stdout, /wrote flow\.schema\.json \(1 component type\)/);
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /"tone"/);
  const printed = await runCli(['schema', '--out', '-', '--project', root], { env: options.env });
  assert.equal(printed.stdout, text);

  const current = await runCli(['schema', '--check'], options);
  assert.equal(current.code, 0, current.stderr);
  assert.match(current.stdout, /flow\.schema\.json is up to date/);

  writePlugin(plugins, { name: 'beeps', components: [descriptor('beep')] });
  const stale = await runCli(['schema', '--check', '--project', root], options);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /flow\.schema\.json is stale: component type "beep" is missing/);
  assert.match(stale.stderr, /FC_REGISTRY_STALE: .*Fix: run `npm run registry` \(or `npx flowcast schema`\) and commit flow\.schema\.json/);
  assert.equal(fs.readFileSync(file, 'utf8'), text, '--check writes nothing');

  const usage = await runCli(['schema', '--check', '--out', '-'], options);
  assert.equal(usage.code, 2);
});
