import { stringify } from 'yaml';
import { FlowcastError } from '../errors/flowcast-error';
import { mediaMatches } from '../flow/checks/media';
import { defaultEater } from '../flow/checks/feeds';
import { qualifiedName } from '../registry/registry';
import type { RegistryComponent } from '../registry/types';
import { CAPTURE_TYPE, TEST_KIT_PACKAGE } from './internal-components';
import { defaultSourceCandidates, isTestSource, type TestSource } from './test-sources';

/** What feeds the component's eaters: one source for the default eater, or a map eater → source(s). */
export type HarnessInput = TestSource | Record<string, TestSource | TestSource[]>;

/** The flow file of one test run, and where each part of it is. */
export interface HarnessFlow {
  /** The flow as YAML, checked by the same validation as `flowcast validate`. */
  text: string;
  /** The component under test's name in the flow. */
  subject: string;
  /** The capture component of each feeder, by feeder name. */
  captures: Map<string, string>;
}

/**
 * Build the flow around one component: a test source per feed of its eaters (a default one for
 * each required eater left unfed), the component, and a capture on every feeder.
 */
export function harnessFlow(
  subject: RegistryComponent,
  properties: Record<string, unknown>,
  input: HarnessInput | undefined,
  seconds: number,
  unique: (type: string) => boolean,
): HarnessFlow {
  const components: Record<string, unknown> = {};
  let sourceCount = 0;
  const addSource = (source: TestSource): string => {
    const name = `test-source-${++sourceCount}`;
    components[name] = { type: `${TEST_KIT_PACKAGE}/${source.type}`, properties: { ...source.properties, seconds } };
    return name;
  };

  const eats: Record<string, string[]> = {};
  for (const [eater, sources] of Object.entries(inputsByEater(subject, input))) eats[eater] = sources.map(addSource);
  for (const spec of subject.eaters) {
    if (eats[spec.name] || spec.required === false) continue;
    eats[spec.name] = [addSource(defaultSourceFor(subject, spec.name, spec.accepts))];
  }

  const name = subjectName(subject);
  components[name] = {
    // Written as an operator would, unless another type of that name makes it ambiguous.
    type: unique(subject.type) ? subject.type : qualifiedName(subject),
    ...(Object.keys(eats).length > 0 ? { eats } : {}),
    properties,
  };
  const captures = new Map<string, string>();
  subject.feeders.forEach((feeder, index) => {
    const capture = `test-capture-${index + 1}`;
    components[capture] = { type: `${TEST_KIT_PACKAGE}/${CAPTURE_TYPE}`, eats: `${name}:${feeder.name}` };
    captures.set(feeder.name, capture);
  });
  return { text: stringify({ name: 'component-test', components }), subject: name, captures };
}

/** The component under test is named after its type, unless that is a name the test kit uses. */
function subjectName(subject: RegistryComponent): string {
  return /^test-(source|capture)-\d+$/.test(subject.type) ? 'under-test' : subject.type;
}

function inputsByEater(subject: RegistryComponent, input: HarnessInput | undefined): Record<string, TestSource[]> {
  if (input === undefined) return {};
  if (isTestSource(input)) {
    const eater = defaultEater(subject);
    if (eater === undefined) {
      const eaters = subject.eaters.map((e) => e.name).join(', ');
      throw new FlowcastError('FC_UNKNOWN_EATER', `${subject.type} has ${eaters ? `several eaters (${eaters})` : 'no eaters'}, so a single test source has nowhere to go`, {
        fix: eaters ? 'give `input` as a map of eater names to sources' : 'leave out `input`',
      });
    }
    return { [eater]: [input] };
  }
  return Object.fromEntries(Object.entries(input).map(([eater, sources]) => [eater, Array.isArray(sources) ? sources : [sources]]));
}

function defaultSourceFor(subject: RegistryComponent, eater: string, accepts: readonly string[]): TestSource {
  const found = defaultSourceCandidates().find((source) => accepts.some((pattern) => mediaMatches(pattern, source.mediaType)));
  if (found) return found;
  throw new FlowcastError('FC_EATER_UNFED', `eater "${eater}" of ${subject.type} accepts ${accepts.join(', ')}, which no test source makes`, {
    fix: 'feed it with `input: { ' + eater + ': … }`, or test the component inside a whole flow with startFlow',
  });
}
