/**
 * Every error Flowcast reports, in one place (the Fastify habit): a stable code, what went wrong,
 * and the default fix shown to the operator. Call sites add the specifics (file, component, value).
 */
export const ERROR_CODES = {
  // Flow files
  FC_FLOW_READ: 'Check the path and that the file is readable.',
  FC_YAML_SYNTAX: 'Fix the YAML syntax at the position shown.',
  FC_FLOW_SHAPE: 'A flow file has `name` and a `components` map; see the README section "Flow files".',
  FC_COMPONENT_NAME: 'Name components with lower-case letters, digits and dashes, starting with a letter.',
  FC_UNKNOWN_TYPE: 'Run `flowcast registry` to list the component types, or install the plugin that provides it.',
  FC_UNAVAILABLE_TYPE: 'Install what the reason names, then run `flowcast registry --update`.',
  FC_PROPERTY_INVALID: 'Run `flowcast inspect TYPE` to see the properties this component takes.',
  FC_UNKNOWN_FEED: 'Name a component of this flow, optionally with `:feeder`.',
  FC_UNKNOWN_EATER: 'Run `flowcast inspect TYPE` to see the eaters this component has.',
  FC_EATER_SINGLE: 'This eater takes one feed; remove the others or add a muxer.',
  FC_EATER_UNFED: 'Add `eats:` naming the component whose output this one should consume.',
  FC_NOTHING_TO_EAT: 'Remove `eats:` from this component: it has no eaters.',
  FC_FEED_CYCLE: 'Feeds must flow one way: break the cycle.',
  FC_MEDIA_MISMATCH: 'Put a component between them that converts the media (an encoder or a muxer).',
  FC_CLAIM_CONFLICT: 'Give each of them its own port or mount path.',
  FC_FEED_UNUSED: 'Add a component that eats this feed, or remove the component.',
  // Registry and plugins
  FC_PLUGIN_MANIFEST: 'Fix the `flowcast` key of the package.json; see docs/plugins.md.',
  FC_PLUGIN_LOAD: 'The plugin failed to load; reinstall it or report it to its author.',
  FC_REGISTRY_STALE: 'Run `npm run registry` and commit registry.json.',
  FC_ELEMENT_MISSING: 'Install the Debian package named, then run `flowcast registry --update`.',
  FC_AMBIGUOUS_TYPE: 'Two installed plugins provide this type: write it as `PACKAGE/TYPE`.',
  FC_BROKEN_PLUGIN: 'Run `flowcast plugin list` for the reason; fix or remove the plugin.',
  // Installing and scaffolding plugins (`flowcast plugin …`)
  FC_PLUGIN_INSTALL: 'Check the package name, tarball or path; npm\'s own message is above.',
  FC_PLUGIN_NOT_A_PLUGIN: 'A Flowcast plugin has a `flowcast` key in its package.json; see docs/plugins.md.',
  FC_PLUGIN_SCHEMA: 'Fix the component\'s property schema (JSON Schema, ajv strict mode) and publish again.',
  FC_PLUGIN_CORE_RANGE: 'Install a version of the plugin made for this core, or pass --force to install it anyway.',
  FC_PLUGIN_HOST_COPY: 'Make @flowcast/core a peerDependency and remove tsyringe and reflect-metadata from the plugin\'s dependencies and bundle.',
  FC_TYPE_COLLISION: 'Remove one of the two plugins, or pass --force and write the type as `PACKAGE/TYPE` in flows.',
  FC_PLUGIN_BUSY: 'Wait for the other `flowcast plugin add` or `remove` to finish, then run the command again.',
  FC_PLUGIN_NOT_INSTALLED: 'Run `flowcast plugin list` to see the installed plugins.',
  FC_SCAFFOLD: 'Run `flowcast plugin new --help`.',
  // Building and running
  FC_DI_FAILED: 'The component asked for something Flowcast does not provide; check its @inject tokens.',
  FC_PIPELINE_BUILD: 'A component built an invalid part; report it to the plugin author.',
  FC_UNSAFE_LITERAL: 'Enumerated GStreamer values must be plain words; check the component schema.',
  FC_ELEMENT_PROPERTY: 'The component set a property its GStreamer element does not have; report it to the plugin author.',
  FC_PREFLIGHT: 'Fix what the message names, then run the flow again.',
  FC_COMPONENT_FAILED: 'Read the component\'s message; `GST_DEBUG=3` shows GStreamer\'s own log.',
  // Changing a running flow
  FC_UNKNOWN_COMPONENT: 'Name a component of the flow; the message lists them.',
  FC_PROPERTY_NOT_LIVE: 'Change it in the flow file and restart the flow: only the properties `flowcast inspect` marks "changeable while running" change live.',
  FC_LIVE_CHANGE_FAILED: 'The old value is back in force; read the component\'s message, or change it in the flow file and restart the flow.',
  FC_PORT_IN_USE: 'Stop what uses the port, or set another `port` property.',
  // The admin API and its command-line clients
  FC_UNKNOWN_FLOW: 'Name a flow the server runs; the message lists them (`flowcast status`).',
  FC_FLOW_EXISTS: 'Delete the flow first, or give the new one another name.',
  FC_FLOW_NOT_RUNNING: 'Start the flow first (`flowcast flow start NAME`).',
  FC_FLOW_FILE_CHANGED: 'Try again in a moment: the server takes up the edited file first.',
  FC_LISTENER_GONE: 'The listener has left already; list them again (`flowcast listeners`).',
  FC_ADMIN_REQUEST: 'Send what the API document (/api/openapi.json) describes for this route.',
  FC_ADMIN_AUTH: 'Send `Authorization: Bearer TOKEN` with a token from `flowcast token create NAME --role read|admin`.',
  FC_ADMIN_FORBIDDEN: 'Use a token with the admin role (`flowcast token create NAME --role admin`).',
  FC_ADMIN_UNREACHABLE: 'Start the server (`flowcast serve`), or set FLOWCAST_ADMIN_URL to where its admin API listens.',
  FC_ADMIN_SETTINGS: 'Fix the FLOWCAST_ADMIN_* setting named (see `flowcast serve --help`).',
  FC_TOKEN: 'Run `flowcast token --help`.',
  FC_USAGE: 'Run `flowcast --help`.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function defaultFix(code: ErrorCode): string {
  return ERROR_CODES[code];
}
