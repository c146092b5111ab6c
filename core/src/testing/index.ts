/**
 * Helpers for tests of flows and components: run one component between test sources and captures
 * (loadPluginUnderTest), run the real `flowcast` command on a flow, read a live stream with a real
 * HTTP client, and ask GStreamer's own tools what was received. Import from `@flowcast/core/testing`.
 */
export { runCli, startFlow, writeFlow, type CliResult, type RunningFlow } from './flow-process';
export { readStream, freePort, isPortOpen } from './http-client';
export { discover, decodes, decodesVideo, probe, type MediaInfo, type ProbeResult, type ProbedStream } from './gst-tools';
export {
  loadPluginUnderTest,
  type PluginUnderTest,
  type ComponentRun,
  type ComponentRunOptions,
} from './component-harness';
export type { RegistryComponent } from '../registry/types';
export { testAudio, testVideo, testEncodedAudio, type TestSource, type TestAudioOptions, type TestVideoOptions, type TestWave, type TestCodec } from './test-sources';
export { startServe, type ServeProcess } from './serve-process';
export { oggPages, oggSequenceGaps, type OggPage } from './ogg-pages';
