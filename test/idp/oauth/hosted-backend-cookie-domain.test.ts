/**
 * The hosted backend's cookie domain (FusionAuth's rule, with its two known bugs avoided): the broadest
 * domain below the public suffix, so a sibling app host can read app.at_exp — never a public suffix like
 * `co.uk` (FusionAuth issue #2735) and never `.localhost` (issue #3356); IPs, `localhost` and one-label
 * hosts get host-only cookies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieDomain } from '../../../src/idp/oauth/hosted-backend/cookies.js';

test('cookie domain of the hosted backend', () => {
  const cases: Array<[string, string | undefined]> = [
    ['auth.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['login.auth.department.example.com', 'example.com'],
    ['AUTH.Example.COM', 'example.com'],
    ['auth.example.co.uk', 'example.co.uk'],
    ['auth.example.com.au', 'example.com.au'],
    ['co.uk', undefined],
    ['auth.io', 'auth.io'],
    ['localhost', undefined],
    ['auth.acme.localhost', undefined],
    ['127.0.0.1', undefined],
    ['[::1]', undefined],
    ['::1', undefined],
    ['intranet', undefined],
  ];
  for (const [host, expected] of cases) assert.equal(cookieDomain(host), expected, host);
});
