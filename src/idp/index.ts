/** The identity provider: FusionAuth's API subset on SQLite or PostgreSQL. */
export { startIdp, type IdpOptions, type RunningIdp } from './server.js';
export { Storage, isPostgresUrl } from './storage/index.js';
export { DEFAULT_PASSWORD_HASHING, PasswordHasher, type PasswordHashing } from './crypto/password.js';
export { DEFAULT_PORT, DEFAULT_ISSUER } from './model/defaults.js';
export { loadKickstart, type KickstartFile } from './bootstrap/kickstart.js';
export type { InitializeResult } from './bootstrap/initialize.js';
export type { Tenant, Application, Key, ApiKey, User, Registration, RefreshToken } from './model/types.js';
