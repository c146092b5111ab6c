import type { ErrorCode } from '../errors/codes';
import type { RegistryComponent } from '../registry/types';

/** A reference to one output of a component: `mic` or `mic:audio`. */
export interface FeedRef {
  component: string;
  /** Undefined when the flow file left it out: the component's first feeder. */
  feeder?: string;
}

/** A feed reference and where the flow file wrote it. */
export interface SourceFeedRef extends FeedRef {
  at: (string | number)[];
}

/** A component as the flow file writes it, before any registry lookup. */
export interface FlowComponentSource {
  name: string;
  type: string;
  /** Feeds by eater name; `undefined` key means "the component's only or default eater". */
  eats: { eater?: string; feeds: SourceFeedRef[] }[];
  properties: Record<string, unknown>;
}

export interface FlowSource {
  file: string;
  name: string;
  components: FlowComponentSource[];
}

/** A checked component, ready to build. */
export interface ResolvedComponent {
  name: string;
  type: string;
  descriptor: RegistryComponent;
  /** Validated, with defaults applied. */
  properties: Record<string, unknown>;
  /** Every eater of the component with the feeds going into it (resolved to feeder names). */
  eats: { eater: string; feeds: Required<FeedRef>[] }[];
}

export interface ResolvedFlow {
  file: string;
  name: string;
  /** Upstream first. */
  components: ResolvedComponent[];
}

export type Severity = 'error' | 'warning';

/** One finding of `flowcast validate`, pointing into the flow file. */
export interface Diagnostic {
  severity: Severity;
  code: ErrorCode;
  message: string;
  fix?: string;
  file: string;
  line: number;
  col: number;
  component?: string;
  property?: string;
}
