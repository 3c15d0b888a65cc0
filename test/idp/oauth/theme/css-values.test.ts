/** The grammar of theme values: what may reach the stylesheet and `<img src>`, and what may not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isColour, isLength, parseLogo } from '../../../../src/idp/oauth/theme/css-values.js';

test('colours: hex and rgb()/hsl() with numbers only', () => {
  for (const ok of ['#fff', '#ffff', '#1b4fd8', '#1b4fd8cc', 'rgb(1, 2, 3)', 'rgba(1,2,3,.5)', 'rgb(1 2 3 / 50%)', 'hsl(220deg 40% 15%)', 'HSLA(220, 40%, 15%, 0.9)']) assert.ok(isColour(ok), ok);
  for (const bad of ['', 'red', '#12', '#12345', 'rgb(1,2)', 'rgb(1,2,3);}', 'red;}body{', 'url(https://x)', 'expression(alert(1))', '#fff </style>', 'var(--x)']) assert.ok(!isColour(bad), bad);
});

test('lengths: 0 or a number with px, rem, em or %', () => {
  for (const ok of ['0', '4px', '0.5rem', '1em', '50%']) assert.ok(isLength(ok), ok);
  for (const bad of ['4', '4px;', 'calc(1px)', '1vh', '-']) assert.ok(!isLength(bad), bad);
});

test('logos: https without credentials, or base64 data:image; the CSP source names the path', () => {
  assert.deepEqual(parseLogo('https://cdn.example/a/logo.svg?v=2'), { src: 'https://cdn.example/a/logo.svg?v=2', cspSource: 'https://cdn.example/a/logo.svg' });
  assert.deepEqual(parseLogo('data:image/png;base64,iVBORw0KGgo='), { src: 'data:image/png;base64,iVBORw0KGgo=', cspSource: 'data:' });
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'http://cdn.example/logo.png', 'https://u:p@cdn.example/l.png', 'https://cdn.example/a;b.png', "https://cdn.example/a'b.png", 'data:text/html;base64,PGI+', 'data:image/svg+xml,<svg onload=alert(1)>', '//cdn.example/logo.png', 'logo.png']) {
    assert.ok('problem' in parseLogo(bad), bad);
  }
  assert.ok('problem' in parseLogo(`data:image/png;base64,${'A'.repeat(70_000)}`), 'a data: logo is at most 64 KiB');
});
