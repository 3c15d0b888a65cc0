export { Storage, type LockState } from './storage.js';
export { DocumentTable, DuplicateError, type TableSpec, type Where } from './table.js';
export { isPostgresUrl, type Dialect } from './open.js';
export { MIGRATIONS } from './migrations.js';
