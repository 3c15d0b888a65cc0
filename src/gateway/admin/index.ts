export { AdminServer, type AdminSources, type AdminOptions } from './admin-server.js';
export { adminToken } from './token.js';
export { renderStatsPage, escapeHtml, type StatsSnapshot, type StatsBackend, type StatsFrontend, type StatsServer } from './stats-page.js';
export { ServerStateFile } from './state-file.js';
