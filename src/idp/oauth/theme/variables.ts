/**
 * The theme variables Gatehouse draws (FusionAuth's `SimpleThemeVariables` names), what kind of value each
 * takes, and the default theme's values. The default colours pass WCAG AA: every text colour has a contrast
 * of at least 4.5:1 on the background it is drawn on (test/idp/oauth/theme/hosted-pages-browser.test.ts
 * measures it in Chromium). FusionAuth's other variables (fonts, favicons, background image, delete
 * buttons, icons) are refused as not implemented.
 */

export type VariableKind = 'colour' | 'length' | 'logo';

export const VARIABLES = {
  pageBackgroundColor: 'colour',
  panelBackgroundColor: 'colour',
  fontColor: 'colour',
  primaryButtonColor: 'colour',
  primaryButtonTextColor: 'colour',
  primaryButtonFocusColor: 'colour',
  primaryButtonTextFocusColor: 'colour',
  linkTextColor: 'colour',
  linkTextFocusColor: 'colour',
  inputBackgroundColor: 'colour',
  inputTextColor: 'colour',
  errorFontColor: 'colour',
  alertBackgroundColor: 'colour',
  alertFontColor: 'colour',
  borderRadius: 'length',
  logoImageURL: 'logo',
} as const satisfies Record<string, VariableKind>;

export type VariableName = keyof typeof VARIABLES;
export type Colours = Record<Exclude<VariableName, 'logoImageURL'>, string>;

/** `SimpleThemeVariables` members Gatehouse does not draw. */
export const UNIMPLEMENTED_VARIABLES: ReadonlySet<string> = new Set([
  'backgroundImageURL',
  'backgroundSize',
  'deleteButtonColor',
  'deleteButtonFocusColor',
  'deleteButtonTextColor',
  'deleteButtonTextFocusColor',
  'errorIconColor',
  'favicons',
  'fontFamily',
  'footerDisplay',
  'iconBackgroundColor',
  'iconColor',
  'infoIconColor',
  'inputIconColor',
  'logoImageSize',
  'monoFontColor',
  'monoFontFamily',
]);

export const DEFAULT_COLOURS: Colours = {
  pageBackgroundColor: '#f4f5f7',
  panelBackgroundColor: '#ffffff',
  fontColor: '#1d2330',
  primaryButtonColor: '#1b4fd8',
  primaryButtonTextColor: '#ffffff',
  primaryButtonFocusColor: '#163fad',
  primaryButtonTextFocusColor: '#ffffff',
  linkTextColor: '#1b4fd8',
  linkTextFocusColor: '#163fad',
  inputBackgroundColor: '#ffffff',
  inputTextColor: '#1d2330',
  errorFontColor: '#b3261e',
  alertBackgroundColor: '#fdecea',
  alertFontColor: '#8c1d18',
  borderRadius: '4px',
};
