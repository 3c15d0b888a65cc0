/**
 * FusionAuth's Two Factor API for the authenticator (TOTP) and email methods:
 * - `GET /api/two-factor/secret` (API key or JWT): `{secret, secretBase32Encoded}`.
 * - `POST /api/user/two-factor/{userId}` (API key) and `POST /api/user/two-factor` (JWT): enable a method
 *   with a current `code` of its `secret` or `secretBase32Encoded`, or (`method: email`, `email`) the code
 *   `POST /api/two-factor/send` emailed to that address (two-factor-send.ts); 200 with `{recoveryCodes}` for the
 *   first method, an empty 200 after; 421 for a wrong code.
 * - `DELETE /api/user/two-factor/{userId}` (API key) and `DELETE /api/user/two-factor` (JWT), `methodId`
 *   and `code` as query parameters or JSON body: disable (a recovery code removes every method); 421.
 * - `PUT /api/user/two-factor/{userId}` / `PUT /api/user/two-factor` (JWT): rename a method (`methodId`, `name`).
 * - `POST /api/user/two-factor/recovery-code/{userId}`: new recovery codes. The deprecated `GET` of the same
 *   path (FusionAuth 1.64) cannot be served — only hashes are stored — and answers as not implemented.
 * The `sms` method, and `twoFactorId` (enabling during a login, for the `Required` policy), are refused
 * with `[notImplemented]`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError, StatusError } from '../model/errors.js';
import { optionalString, optionalUuid, requiredString, type Body } from '../model/input.js';
import { refuseEndpoint } from '../http/not-implemented.js';
import {
  authenticatorAllowed,
  base32Encode,
  disableMethod,
  emailMethodTemplate,
  emailOf,
  enableAuthenticator,
  enableEmail,
  generateSecret,
  keyFrom,
  methodsOf,
  regenerateRecoveryCodes,
} from '../services/two-factor/index.js';
import { bodyOf, query } from './common.js';
import { actingUser, jwtUser } from './two-factor-auth.js';

const USER_TWO_FACTOR = { endpoint: '/api/user/two-factor', auth: 'optional' as const };
const ENABLE_FIELDS = new Set(['method', 'code', 'secret', 'secretBase32Encoded', 'name', 'applicationId', 'authenticatorId', 'email', 'mobilePhone', 'twoFactorId', 'eventInfo']);

type UserRequest = FastifyRequest<{ Params: { userId?: string } }>;

async function enable(ctx: IdpContext, request: UserRequest, reply: FastifyReply): Promise<FastifyReply> {
  const user = await actingUser(ctx, request, request.params.userId);
  const body = bodyOf(request);
  const errors = new ApiErrors();
  for (const name of Object.keys(body)) if (!ENABLE_FIELDS.has(name)) errors.field(name, 'unknown', `The [${name}] property is not a property of this request.`);
  const method = requiredString(errors, body, 'method', 'method');
  const code = requiredString(errors, body, 'code', 'code');
  const name = optionalString(errors, body, 'name', 'name');
  optionalUuid(errors, body, 'applicationId', 'applicationId');
  if (body.authenticatorId !== undefined && body.authenticatorId !== null) errors.field('authenticatorId', 'notImplemented', 'Gatehouse does not implement [authenticatorId].');
  if (body.twoFactorId !== undefined && body.twoFactorId !== null) errors.field('twoFactorId', 'notImplemented', 'Gatehouse does not implement enabling a method during a login ([twoFactorId]); the Required login policy is not implemented.');
  const tenant = (await ctx.storage.tenants.get(user.tenantId))!;
  if (method === 'sms') errors.field('method', 'notImplemented', 'Gatehouse does not implement the [sms] two-factor method; only [authenticator] (TOTP) and [email].');
  else if (method !== undefined && method !== 'authenticator' && method !== 'email') errors.invalid('method', 'The [method] property must be authenticator, email or sms.');
  else if (method === 'authenticator' && !authenticatorAllowed(tenant)) errors.invalid('method', 'The tenant does not allow the [authenticator] two-factor method.');
  else if (method === 'email' && emailMethodTemplate(tenant) === undefined) errors.invalid('method', 'The tenant does not allow the [email] two-factor method (tenant.multiFactorConfiguration.email.enabled).');
  const key = method === 'authenticator' ? keyFrom(errors, body.secret, body.secretBase32Encoded, '') : undefined;
  const email = method === 'email' ? emailOf(errors, body.email, 'email') : undefined;
  if (name !== undefined && name.length > 100) errors.invalid('name', 'The [name] property must be at most 100 characters.');
  errors.throwIfAny();
  const label = name === undefined || name === '' ? undefined : name;
  const outcome = method === 'email' ? await enableEmail(ctx, user, email!, code!, label) : await enableAuthenticator(ctx, user, key!, code!, label);
  if (outcome.status === 421) throw new StatusError(421);
  return outcome.recoveryCodes === undefined ? reply.code(200).send() : reply.code(200).send({ recoveryCodes: outcome.recoveryCodes });
}

/** `methodId` and `code` from the query or, when absent there, the JSON body. */
function disableInput(request: FastifyRequest): { methodId: string; code: string } {
  const q = query(request);
  const body: Body = q.methodId === undefined && q.code === undefined ? bodyOf(request) : { methodId: q.methodId, code: q.code };
  const errors = new ApiErrors();
  const methodId = requiredString(errors, body, 'methodId', 'methodId');
  const code = requiredString(errors, body, 'code', 'code');
  errors.throwIfAny();
  return { methodId: methodId!, code: code! };
}

async function disable(ctx: IdpContext, request: UserRequest, reply: FastifyReply): Promise<FastifyReply> {
  const user = await actingUser(ctx, request, request.params.userId);
  const { methodId, code } = disableInput(request);
  const status = await disableMethod(ctx, user, methodId, code);
  if (status === 404) fieldError('methodId', 'invalid', `The [methodId] property does not name a two-factor method of the user.`);
  if (status === 421) throw new StatusError(421);
  return reply.code(200).send();
}

async function rename(ctx: IdpContext, request: UserRequest, reply: FastifyReply): Promise<FastifyReply> {
  const user = await actingUser(ctx, request, request.params.userId);
  const body = bodyOf(request);
  const errors = new ApiErrors();
  const methodId = requiredString(errors, body, 'methodId', 'methodId');
  const name = optionalString(errors, body, 'name', 'name');
  if (name !== undefined && name.length > 100) errors.invalid('name', 'The [name] property must be at most 100 characters.');
  errors.throwIfAny();
  if (!methodsOf(user).some((m) => m.id === methodId)) fieldError('methodId', 'invalid', 'The [methodId] property does not name a two-factor method of the user.');
  const methods = methodsOf(user).map((m) => {
    if (m.id !== methodId) return m;
    const { name: _n, ...rest } = m;
    return name === undefined || name === '' ? rest : { ...rest, name };
  });
  await ctx.storage.users.update({ ...user, twoFactor: { methods, recoveryCodeHashes: user.twoFactor!.recoveryCodeHashes }, lastUpdateInstant: ctx.now() });
  return reply.code(200).send();
}

export function registerTwoFactorRoutes(app: FastifyInstance, ctx: IdpContext): void {
  app.get('/api/two-factor/secret', { config: { endpoint: '/api/two-factor/secret', auth: 'optional' } }, async (request) => {
    if (request.apiKey === undefined && (await jwtUser(ctx, request)) === undefined) throw new StatusError(401);
    const secret = generateSecret();
    return { secret, secretBase32Encoded: base32Encode(Buffer.from(secret, 'utf8')) };
  });
  for (const path of ['/api/user/two-factor', '/api/user/two-factor/:userId']) {
    app.post(path, { config: USER_TWO_FACTOR }, (request: UserRequest, reply) => enable(ctx, request, reply));
    app.delete(path, { config: USER_TWO_FACTOR }, (request: UserRequest, reply) => disable(ctx, request, reply));
    app.put(path, { config: USER_TWO_FACTOR }, (request: UserRequest, reply) => rename(ctx, request, reply));
  }
  app.post('/api/user/two-factor/recovery-code/:userId', { config: { endpoint: '/api/user/two-factor/recovery-code' } }, async (request: UserRequest) => {
    const user = await actingUser(ctx, request, request.params.userId);
    return { recoveryCodes: await regenerateRecoveryCodes(ctx, user) };
  });
  // Deprecated in FusionAuth 1.64 ("generate new recovery codes and deliver those"); Gatehouse keeps only hashes.
  app.get('/api/user/two-factor/recovery-code/:userId', { config: { auth: 'none' } }, async (request, reply) => refuseEndpoint(request, reply));
}
