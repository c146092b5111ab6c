/**
 * Injection tokens of what core provides to components. Strings, so tsyringe's errors name them
 * readably ("Attempted to resolve unregistered dependency token: "flowcast:http"").
 */
export const TOKENS = {
  /** The component's validated properties, defaults applied: `PropertiesOf<typeof schema>`. */
  properties: 'flowcast:properties',
  /** The component's name in its flow. */
  componentName: 'flowcast:component-name',
  /** The flow's name. */
  flowName: 'flowcast:flow-name',
  /** A `Logger` scoped to the component. */
  logger: 'flowcast:logger',
  /** The `HttpService`. */
  http: 'flowcast:http',
  /** `Paths`. */
  paths: 'flowcast:paths',
  /** `Clock`. */
  clock: 'flowcast:clock',
  /** `Announcer`. */
  announcer: 'flowcast:announcer',
  /** `SystemLimits`. */
  system: 'flowcast:system',
  /** The flow's `Bouncers`: a bouncer registers itself; a mount finds the one its `bouncer` property names. */
  bouncers: 'flowcast:bouncers',
  /** The flow's `LiveStreams`: a streamer registers itself; archive-http hands rewinding listeners to it. */
  liveStreams: 'flowcast:live-streams',
} as const;
