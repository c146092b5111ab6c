import fs from 'node:fs';
import path from 'node:path';

/** The core package's own directory and version (this file is at dist/src/version.js). */
export const CORE_DIRECTORY = path.resolve(__dirname, '..', '..');
export const CORE_VERSION: string = (JSON.parse(fs.readFileSync(path.join(CORE_DIRECTORY, 'package.json'), 'utf8')) as { version: string }).version;
