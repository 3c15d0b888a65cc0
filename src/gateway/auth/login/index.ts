/** Sign-in at the gateway (a policy's `login:`): the config schema and the factory wrapping a JWT policy. */
export { loginSchema } from './config.js';
export type { LoginConfig } from './config.js';
export { createLoginPolicy } from './create-login.js';
