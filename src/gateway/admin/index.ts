export { AdminServer, type AdminSources } from './admin-server.js';
export { renderStatsPage, escapeHtml, type StatsSnapshot, type StatsBackend, type StatsFrontend, type StatsServer } from './stats-page.js';
