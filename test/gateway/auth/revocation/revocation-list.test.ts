/**
 * RevocationList: by user and second (iat ≤ the revocation's second; no iat counts as before), by jti;
 * the latest revocation of a user wins; entries past `until` are dropped; fail closed refuses every
 * token while the feed is not current, fail open does not. And the stream record's format round-trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_REVOKED, REVOKED, RevocationList, UNAVAILABLE } from '../../../../src/gateway/auth/revocation/index.js';
import { decodeRevocation, encodeRevocation, type Revocation } from '../../../../src/shared/revocation-record.js';

const AT = 1_800_000_000_500; // ms, half a second into second 1_800_000_000
const user = (sub: string, at = AT, until = AT + 3_600_000): Revocation => ({ kind: 'user', sub, at, until, type: 'jwt.refresh-token.revoke', event: 'e1' });

test('a user revocation denies tokens issued at or before its second, and none issued later', () => {
  const list = new RevocationList(false);
  list.setCurrent(true);
  assert.equal(list.check('u1', 1_799_999_000, undefined), NOT_REVOKED, 'nothing revoked yet');
  list.apply(user('u1'), AT);
  assert.equal(list.check('u1', 1_799_999_000, undefined), REVOKED);
  assert.equal(list.check('u1', 1_800_000_000, undefined), REVOKED, 'same second: denied (iat has whole seconds)');
  assert.equal(list.check('u1', 1_800_000_001, undefined), NOT_REVOKED, 'a later second');
  assert.equal(list.check('u1', undefined, undefined), REVOKED, 'no iat: cannot show it is newer');
  assert.equal(list.check('u2', 1_799_999_000, undefined), NOT_REVOKED, 'another user');
  assert.equal(list.check(undefined, 1_799_999_000, undefined), NOT_REVOKED);
});

test('the latest instant of a user wins, an older entry arriving later does not shorten it; jti entries deny one token', () => {
  const list = new RevocationList(false);
  list.setCurrent(true);
  list.apply(user('u1', AT + 10_000), AT);
  list.apply(user('u1', AT), AT);
  assert.equal(list.check('u1', 1_800_000_005, undefined), REVOKED);
  list.apply({ kind: 'jti', jti: 'j1', until: AT + 60_000, type: 't', event: 'e2' }, AT);
  assert.equal(list.check('u9', 1_900_000_000, 'j1'), REVOKED);
  assert.equal(list.check('u9', 1_900_000_000, 'j2'), NOT_REVOKED);
});

test('entries are dropped once past until; an entry already past is not applied', () => {
  const list = new RevocationList(false);
  list.setCurrent(true);
  list.apply(user('u1', AT, AT + 1_000), AT);
  list.apply(user('u2', AT, AT - 1), AT);
  assert.equal(list.size, 1);
  list.purge(AT + 1_000);
  assert.equal(list.size, 0);
  assert.equal(list.check('u1', 1, undefined), NOT_REVOKED);
});

test('fail closed refuses every token until the feed is current; fail open admits what it does not know', () => {
  const closed = new RevocationList(true);
  assert.equal(closed.check('u1', 1, undefined), UNAVAILABLE, 'not current at start');
  closed.setCurrent(true);
  assert.equal(closed.check('u1', 1, undefined), NOT_REVOKED);
  closed.setCurrent(false);
  assert.equal(closed.check('u1', 1, undefined), UNAVAILABLE);
  const open = new RevocationList(false);
  assert.equal(open.check('u1', 1, undefined), NOT_REVOKED);
  open.apply(user('u1'), AT);
  assert.equal(open.check('u1', 1, undefined), REVOKED, 'known revocations still deny while not current');
});

test('the stream record round-trips; unknown kinds and bad numbers are not revocations', () => {
  const r = user('u1');
  assert.deepEqual(decodeRevocation(encodeRevocation(r)), r);
  const j: Revocation = { kind: 'jti', jti: 'abc', until: AT, type: 't', event: 'e' };
  assert.deepEqual(decodeRevocation(encodeRevocation(j)), j);
  assert.equal(decodeRevocation(['kind', 'session', 'until', '1']), undefined);
  assert.equal(decodeRevocation(['kind', 'user', 'sub', 'u', 'at', 'x', 'until', '1']), undefined);
  assert.equal(decodeRevocation(['kind', 'user', 'sub', '', 'at', '1', 'until', '1']), undefined);
  assert.equal(decodeRevocation(['kind', 'user', 'sub', 'u', 'at', '1']), undefined, 'no until');
});
