import { definePlugin } from '@flowcast/core';
import { muxerOgg } from './descriptor';

export default definePlugin({ components: [muxerOgg] });
