import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CORE_DIRECTORY } from '../src/version';

test('the default flow built into core is the one in the repository flows/', () => {
  const embedded = fs.readFileSync(path.join(CORE_DIRECTORY, 'flows', 'default.yaml'), 'utf8');
  const project = fs.readFileSync(path.join(CORE_DIRECTORY, '..', 'flows', 'default.yaml'), 'utf8');
  assert.equal(embedded, project);
});
