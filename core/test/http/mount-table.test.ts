import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MountTable } from '../../src/http/mount-table';

const handler = (): void => {};

test('an exact mount matches its own path only; a prefix mount also matches the paths below it', () => {
  const table = new MountTable();
  const live = { handler };
  const archive = { handler, prefix: true };
  table.set('/live.ogg', live);
  table.set('/archive', archive);
  assert.equal(table.find('/live.ogg'), live);
  assert.equal(table.find('/live.ogg/x'), undefined);
  assert.equal(table.find('/archive'), archive);
  assert.equal(table.find('/archive/2026/12/01.ogg'), archive);
  assert.equal(table.find('/archived'), undefined, 'a prefix is a whole path segment, not a string prefix');
  assert.equal(table.find('/'), undefined);
});

test('the most specific mount wins: exact first, then the longest prefix', () => {
  const table = new MountTable();
  const outer = { handler, prefix: true };
  const inner = { handler, prefix: true };
  const exact = { handler };
  table.set('/a', outer);
  table.set('/a/b', inner);
  table.set('/a/b/c.ogg', exact);
  assert.equal(table.find('/a/b/c.ogg'), exact);
  assert.equal(table.find('/a/b/d.ogg'), inner);
  assert.equal(table.find('/a/x/d.ogg'), outer);
});
