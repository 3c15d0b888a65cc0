export { translateHaproxy, looksLikeHaproxy, STRICTER_NOTICE, type HaproxyTranslation, type TranslateOptions } from './translate.js';
export { lexHaproxy, type Statement, type LexResult } from './lexer.js';
export { translationToYaml } from './to-yaml.js';
