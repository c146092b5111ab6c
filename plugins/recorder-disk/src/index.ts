import { definePlugin } from '@flowcast/core';
import { recorderDisk } from './descriptor';

export default definePlugin({ components: [recorderDisk] });
