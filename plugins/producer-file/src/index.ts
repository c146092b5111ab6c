import { definePlugin } from '@flowcast/core';
import { producerFile } from './descriptor';

export default definePlugin({ components: [producerFile] });
