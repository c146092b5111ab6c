import { definePlugin } from '@flowcast/core';
import { encoderVorbis } from './descriptor';

export default definePlugin({ components: [encoderVorbis] });
