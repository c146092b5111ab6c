/**
 * The bouncer plumbing mounts share: a mount naming a bouncer the flow lacks fails preflight with
 * the fix; a request is parsed into what bouncers see; a bouncer that throws refuses, and the log
 * says why; a refusal is logged with its reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askBouncer, accessRequest, bouncerNamed, type Bouncer } from '../src/api/access';
import type { Logger } from '../src/api/services';
import { BouncerRegistry } from '../src/access/bouncer-registry';
import { isFlowcastError } from '../src/errors/flowcast-error';

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = { lines, debug() {}, info: (m: string, f?: object) => void lines.push(`info ${m} ${JSON.stringify(f)}`), warn() {}, error: (m: string) => void lines.push(`error ${m}`), child: () => log };
  return log;
}

test('bouncerNamed: none named is none; a name the flow lacks is a preflight error with its fix', () => {
  const bouncers = new BouncerRegistry();
  const yes: Bouncer = { check: async () => ({ allow: true }) };
  bouncers.register('door', yes);
  assert.equal(bouncerNamed(bouncers, undefined), undefined);
  assert.equal(bouncerNamed(bouncers, 'door'), yes);
  assert.throws(
    () => bouncerNamed(bouncers, 'gate'),
    (error: unknown) => isFlowcastError(error) && error.code === 'FC_PREFLIGHT' && /no bouncer "gate" in this flow/.test(error.message) && error.location.property === 'bouncer',
  );
});

test('accessRequest splits path and query and flattens headers', () => {
  const request = accessRequest('GET', '/live.ogg?token=a%2Bb&x=1', { Authorization: 'Basic eA==', 'x-forwarded-for': ['1.2.3.4', '5.6.7.8'] }, '10.0.0.1');
  assert.equal(request.path, '/live.ogg');
  assert.equal(request.query.get('token'), 'a+b');
  assert.deepEqual(request.headers, { authorization: 'Basic eA==', 'x-forwarded-for': '1.2.3.4, 5.6.7.8' });
  assert.equal(request.remoteAddress, '10.0.0.1');
});

test('askBouncer: no bouncer allows; a refusal is logged with its reason; a bouncer that throws refuses with 403', async () => {
  const log = memoryLog();
  const request = accessRequest('GET', '/live.ogg', {}, '10.0.0.1');
  assert.deepEqual(await askBouncer(undefined, request, log), { allow: true });
  const no: Bouncer = { check: async () => ({ allow: false, status: 401, reason: 'no credentials', challenge: 'Basic realm="x"' }) };
  assert.equal((await askBouncer(no, request, log)).allow, false);
  assert.match(log.lines.at(-1)!, /^info request refused .*"reason":"no credentials"/);
  const broken: Bouncer = {
    check: async () => {
      throw new Error('the database is down');
    },
  };
  assert.deepEqual(await askBouncer(broken, request, log), { allow: false, status: 403, reason: 'the bouncer failed' });
  assert.equal(log.lines.at(-1), 'error the bouncer failed: the database is down');
});
