/**
 * The TOTP arithmetic against RFC 6238's SHA-1 test vectors (6-digit truncation of the published 8-digit
 * values), FusionAuth's documented secret/Base32 pair, and otplib (what authenticator apps compute).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { base32Decode, base32Encode, codeAt, generateSecret, matchingStep, stepAt } from '../../../src/idp/services/two-factor/totp.js';

const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];

test('RFC 6238 SHA-1 vectors', () => {
  for (const [seconds, code] of VECTORS) assert.equal(codeAt(RFC_KEY, stepAt(seconds * 1000)), code.slice(-6), `T=${seconds}`);
});

test("FusionAuth's secret and its Base32, and new secrets shaped like FusionAuth's", () => {
  assert.equal(base32Encode(Buffer.from('8MJJfCY4ERBtotvenSc3', 'utf8')), 'HBGUUSTGINMTIRKSIJ2G65DWMVXFGYZT');
  assert.equal(base32Decode('hbguustg inmtirks ij2g65dw mvxfgyzt')!.toString('utf8'), '8MJJfCY4ERBtotvenSc3');
  assert.equal(base32Decode('not base32!'), undefined);
  const secret = generateSecret();
  assert.match(secret, /^[A-Za-z0-9+/]{20}$/);
});

test('otplib codes match, one step of drift either side, and never at or below the last used step', async () => {
  const key = Buffer.from(generateSecret(), 'utf8');
  const now = Date.now();
  const code = await generate({ secret: base32Encode(key), epoch: Math.floor(now / 1000) });
  const step = stepAt(now);
  assert.equal(matchingStep(key, code, now), step);
  assert.equal(matchingStep(key, code, now + 30_000), step, 'the previous step still counts');
  assert.equal(matchingStep(key, code, now + 60_000), undefined, 'two steps later it does not');
  assert.equal(matchingStep(key, code, now, step), undefined, 'a used step is refused');
  assert.equal(matchingStep(key, 'abcdef', now), undefined);
});
