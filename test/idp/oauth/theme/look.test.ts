/** A stored theme's values are checked again when drawn: one that does not pass stays at the default. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOOK, lookOf } from '../../../../src/idp/oauth/theme/look.js';
import type { Theme } from '../../../../src/idp/model/types.js';

const theme = (variables: Record<string, string>): Theme => ({ id: 'x', name: 'x', type: 'simple', variables, data: {}, insertInstant: 0, lastUpdateInstant: 0 });

test('a stored value that is no colour, length or logo is not drawn', () => {
  const look = lookOf(theme({ fontColor: 'red;}body{display:none', borderRadius: '1px;x', logoImageURL: 'javascript:alert(1)', primaryButtonColor: '#123456' }), 'Shop');
  assert.equal(look.colours.fontColor, DEFAULT_LOOK.colours.fontColor);
  assert.equal(look.colours.borderRadius, DEFAULT_LOOK.colours.borderRadius);
  assert.equal(look.logo, undefined);
  assert.equal(look.colours.primaryButtonColor, '#123456');
  assert.ok(!look.css.includes('display:none') && look.css.includes('background:#123456'));
  assert.notEqual(look.cssHash, DEFAULT_LOOK.cssHash);
});
