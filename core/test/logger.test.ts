import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/log/logger';

test('logger: JSON lines with level, ISO time, the scope and fields, and msg; a field given again replaces the scope\'s', () => {
  const lines: string[] = [];
  const logger = createLogger({ format: 'json', level: 'info', sink: { write: (line) => lines.push(line) } }).child({ flow: 'radio', component: 'web' });
  logger.debug('not shown at info');
  logger.info('listener connected', { client: '10.0.0.1', component: 'porter' });
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /\n/);
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(record), ['level', 'time', 'flow', 'component', 'client', 'msg']);
  assert.equal(record.level, 'info');
  assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(record.component, 'porter');
  assert.equal(record.msg, 'listener connected');
});

test('logger: pretty lines on a terminal, as before: time, level, [flow/component], message, fields', () => {
  const lines: string[] = [];
  const logger = createLogger({ format: 'pretty', level: 'debug', sink: { write: (line) => lines.push(line) } });
  logger.child({ flow: 'radio', component: 'enc' }).warn('stream format', { contentType: 'application/ogg', headers: [1, 2] });
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d WARN  \[radio\/enc\] stream format {2}contentType=application\/ogg headers=\[1,2\]$/);
});
