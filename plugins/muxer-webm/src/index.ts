// The manifest module: package.json's "flowcast.manifest" names its compiled form. The registry
// loads it in a separate process to read the descriptors, so keep it free of side effects.
import { definePlugin } from '@flowcast/core';
import { muxerWebm } from './descriptor';

export default definePlugin({ components: [muxerWebm] });
