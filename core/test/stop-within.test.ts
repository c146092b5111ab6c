import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { stopWithin } from '../src/testing/stop-within';

/** A node child that writes `stderr` then waits; `ignoreSigint` makes it deaf to SIGINT, as a process stuck in its stop is. */
function child(ignoreSigint: boolean): { process: ReturnType<typeof spawn>; exited: Promise<number | null>; stderr: () => string } {
  const script = `${ignoreSigint ? "process.on('SIGINT', () => {});" : ''} process.stderr.write('still stopping\\n'); setInterval(() => {}, 1000);`;
  const started = spawn(process.execPath, ['-e', script]);
  let stderr = '';
  started.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => started.on('close', (code) => done(code)));
  return { process: started, exited, stderr: () => stderr };
}

async function written(c: { stderr: () => string }): Promise<void> {
  while (!c.stderr().includes('still stopping')) await new Promise((r) => setTimeout(r, 20));
}

test('the test kit: a process that exits when signalled gives its exit; one that does not is killed at the limit, and the stop fails naming it with its stderr', async () => {
  const obedient = child(false);
  await written(obedient);
  assert.equal(await stopWithin(obedient.process, 'SIGINT', obedient.exited, { what: 'obedient', stderr: obedient.stderr, limitMs: 5000 }), null);
  assert.equal(obedient.process.signalCode, 'SIGINT');

  const stuck = child(true);
  await written(stuck);
  const asked = Date.now();
  await assert.rejects(stopWithin(stuck.process, 'SIGINT', stuck.exited, { what: 'stuck', stderr: stuck.stderr, limitMs: 500 }), /^Error: stuck did not exit within 0\.5 s of SIGINT, and was killed\. The end of its stderr:\nstill stopping\n$/);
  assert.ok(Date.now() - asked >= 450, 'not before the limit');
  await stuck.exited;
  assert.equal(stuck.process.signalCode, 'SIGKILL');
});
