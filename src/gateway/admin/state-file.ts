/**
 * `admin.state_file` (HAProxy's `server-state-file`): the server states an operator set through the admin
 * API (drain, maint, or ready over a config's maint) survive a restart. Every change, and every reload, writes
 * the file (a temporary file renamed over it, so a crash never leaves half a file); a start reads it back.
 *
 * Each entry remembers the state the config gave the server when it was written: if the config has set that
 * server differently since, the config wins (as on reload, where a state the new file changes replaces the one
 * set at run time). Entries for servers the config no longer has are dropped. A missing file is a first start;
 * an unreadable or malformed one is logged and ignored, never fatal.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayConfig } from '../config/index.js';
import { ADMIN_STATES, type AdminState, type ServerAdminState } from '../health/index.js';
import type { Logger } from '../../shared/logger.js';

interface SavedState extends ServerAdminState {
  /** The server's `state` in the config when this entry was written. */
  readonly config_state: AdminState;
}

interface SavedFile {
  readonly version: 1;
  readonly servers: readonly SavedState[];
}

function configState(config: GatewayConfig, backend: string, server: string): AdminState | undefined {
  return config.backends[backend]?.servers[server]?.state;
}

function isAdminState(value: unknown): value is AdminState {
  return typeof value === 'string' && (ADMIN_STATES as readonly string[]).includes(value);
}

export class ServerStateFile {
  readonly path: string;

  constructor(config: GatewayConfig, private readonly logger: Logger) {
    this.path = resolve(config.baseDir, config.admin?.state_file as string);
  }

  static of(config: GatewayConfig, logger: Logger): ServerStateFile | undefined {
    return config.admin?.state_file === undefined ? undefined : new ServerStateFile(config, logger);
  }

  /** The saved states that still apply under `config`, each logged once. */
  load(config: GatewayConfig): ServerAdminState[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.logger.error({ file: this.path, code }, 'server state file unreadable; starting with the config\'s states');
      return [];
    }
    let saved: SavedFile;
    try {
      saved = JSON.parse(text) as SavedFile;
      if (saved?.version !== 1 || !Array.isArray(saved.servers)) throw new Error('not a version 1 state file');
    } catch (error) {
      this.logger.error({ file: this.path, error: (error as Error).message }, 'server state file malformed; starting with the config\'s states');
      return [];
    }
    const out: ServerAdminState[] = [];
    for (const entry of saved.servers) {
      if (typeof entry?.backend !== 'string' || typeof entry.server !== 'string' || !isAdminState(entry.state) || !isAdminState(entry.config_state)) continue;
      const now = configState(config, entry.backend, entry.server);
      if (now === undefined || now !== entry.config_state || now === entry.state) continue;
      out.push({ backend: entry.backend, server: entry.server, state: entry.state });
      this.logger.info({ backend: entry.backend, server: entry.server, admin: entry.state, file: this.path }, `server ${entry.backend}/${entry.server} set to ${entry.state} (restored from the server state file)`);
    }
    return out;
  }

  /** Writes the states that differ from the config's (the ones an operator set at run time). */
  save(states: readonly ServerAdminState[], config: GatewayConfig): void {
    const servers: SavedState[] = [];
    for (const { backend, server, state } of states) {
      const inConfig = configState(config, backend, server);
      if (inConfig !== undefined && inConfig !== state) servers.push({ backend, server, state, config_state: inConfig });
    }
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify({ version: 1, servers } satisfies SavedFile, null, 2)}\n`);
      renameSync(temporary, this.path);
    } catch (error) {
      this.logger.error({ file: this.path, code: (error as NodeJS.ErrnoException).code }, 'cannot write the server state file; the states hold until a restart');
    }
  }
}
