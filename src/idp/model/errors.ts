/**
 * FusionAuth's error response: `{"fieldErrors":{"<field>":[{code,message,data?}]},"generalErrors":[...]}`,
 * each code `[reason]fieldPath`. Validation collects problems into an `ApiErrors` and throws a
 * `ValidationError`; the HTTP layer answers it with 400 and this body.
 */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface ApiError {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface ErrorsBody {
  fieldErrors?: Record<string, ApiError[]>;
  generalErrors?: ApiError[];
}

export class ApiErrors {
  readonly fieldErrors: Record<string, ApiError[]> = {};
  readonly generalErrors: ApiError[] = [];

  field(field: string, reason: string, message: string, data?: Record<string, unknown>): this {
    const error: ApiError = { code: `[${reason}]${field}`, message, ...(data === undefined ? {} : { data }) };
    (this.fieldErrors[field] ??= []).push(error);
    return this;
  }

  blank(field: string, message = `You must specify the [${field}] property.`): this {
    return this.field(field, 'blank', message);
  }

  invalid(field: string, message: string): this {
    return this.field(field, 'invalid', message);
  }

  duplicate(field: string, message: string): this {
    return this.field(field, 'duplicate', message);
  }

  general(code: string, message: string): this {
    this.generalErrors.push({ code, message });
    return this;
  }

  get empty(): boolean {
    return this.generalErrors.length === 0 && Object.keys(this.fieldErrors).length === 0;
  }

  body(): ErrorsBody {
    const body: ErrorsBody = {};
    if (Object.keys(this.fieldErrors).length > 0) body.fieldErrors = this.fieldErrors;
    if (this.generalErrors.length > 0) body.generalErrors = this.generalErrors;
    return body;
  }

  /** Throws a ValidationError when anything was collected. */
  throwIfAny(): void {
    if (!this.empty) throw new ValidationError(this);
  }
}

export class ValidationError extends GatehouseError {
  constructor(readonly errors: ApiErrors) {
    const codes = [...Object.values(errors.fieldErrors).flat(), ...errors.generalErrors].map((e) => e.code);
    super(ErrorCode.IDP_VALIDATION, `request failed validation: ${codes.join(', ')}`);
  }
}

/** Shorthand: throw a ValidationError with one field error. */
export function fieldError(field: string, reason: string, message: string, data?: Record<string, unknown>): never {
  throw new ValidationError(new ApiErrors().field(field, reason, message, data));
}

export function generalError(code: string, message: string): never {
  throw new ValidationError(new ApiErrors().general(code, message));
}

/** An answer with a status and no body (FusionAuth's 401, 404, 423...). */
export class StatusError extends GatehouseError {
  constructor(readonly status: number) {
    super(status === 401 ? ErrorCode.IDP_UNAUTHORIZED : ErrorCode.IDP_NOT_FOUND, `HTTP ${status}`);
  }
}

export const notFound = (): never => {
  throw new StatusError(404);
};
export const unauthorized = (): never => {
  throw new StatusError(401);
};
