/**
 * Public surface of JWT authorization: the config schema for one policy and the factory that builds it.
 * PLACEHOLDER until the "JWT authorization" issue lands: the schema accepts any object and the factory
 * refuses to build, so a config that names a policy fails loudly at load.
 */
import { z } from 'zod';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { AuthPolicy } from './types.js';

export type { AuthPolicy, AuthDecision, AuthAllow, AuthDeny, AuthRequest, RouteRequirements } from './types.js';

export const authPolicySchema = z.object({}).passthrough();
export type AuthPolicyConfig = z.infer<typeof authPolicySchema>;

export interface AuthPolicyContext {
  /** Directory that relative key file paths resolve against (the config file's directory). */
  readonly baseDir: string;
}

export async function createAuthPolicy(name: string, _config: AuthPolicyConfig, _context: AuthPolicyContext): Promise<AuthPolicy> {
  throw new GatehouseError(ErrorCode.CONFIG_INVALID, `auth.${name}: JWT authorization is not built yet`);
}
