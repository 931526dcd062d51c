import { randomBytes } from 'node:crypto';

/** A Graph error response, in Graph's exact envelope (docs/graph-api.md § Errors). */
export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A rate limit refused the call (the request log says so: the bench counts throttles by it). */
  throttled?: boolean;
}

export function graphError(
  status: number,
  /** `fbtraceId`: the trace ID to send; a random one of Graph's shape when absent. */
  fields: { code: number; message: string; type?: string; subcode?: number; isTransient?: boolean; fbtraceId?: string },
): SimResponse {
  return {
    status,
    body: {
      error: {
        message: fields.message,
        type: fields.type ?? 'OAuthException',
        code: fields.code,
        ...(fields.subcode === undefined ? {} : { error_subcode: fields.subcode }),
        ...(fields.isTransient === undefined ? {} : { is_transient: fields.isTransient }),
        fbtrace_id: fields.fbtraceId ?? `Sim${randomBytes(8).toString('base64url')}`,
      },
    },
  };
}

export const errors = {
  noToken: () => graphError(400, { code: 104, message: 'An access token is required to request this resource.' }),
  invalidToken: () => graphError(400, { code: 190, subcode: 467, message: 'Invalid OAuth access token - Cannot parse access token' }),
  expiredToken: () =>
    graphError(400, { code: 190, subcode: 463, message: 'Error validating access token: Session has expired.' }),
  permission: (message: string) => graphError(403, { code: 200, type: 'OAuthException', message: `(#200) ${message}` }),
  badParameter: (message: string) => graphError(400, { code: 100, type: 'OAuthException', message: `(#100) ${message}` }),
  /** What Graph answers for an ID that is no object (docs/graph-api.md: `404` code 803). */
  unknownObject: (id: string) => graphError(404, { code: 803, message: `(#803) Some of the aliases you requested do not exist: ${id}` }),
  /** Accept (or decline) of a solution that is no longer `INITIATED`: `422` subcode 2207051. */
  notInitiated: () => graphError(422, { code: 100, subcode: 2207051, message: 'Solution is not in INITIATED status' }),
  /** Accept by an app the solution does not invite: `403` subcode 1349175. */
  notInvited: () => graphError(403, { code: 10, subcode: 1349175, message: 'Application is not invited to this solution' }),
  /** `GET /{solution}/access_token` for a business we cannot reach through that solution (docs: 404 "solution or business not accessible"; code 100 is our choice). */
  notAccessible: () => graphError(404, { code: 100, message: 'Solution or business not accessible' }),
  /** An object that exists, but not for this token or not with this method. */
  unknownPath: () =>
    graphError(400, {
      code: 100,
      type: 'GraphMethodException',
      subcode: 33,
      message: 'Unsupported request - method type or object does not exist, cannot be loaded due to missing permissions, or does not support this operation',
    }),
};

/** The `/__sim/*` controls' own refusals: `{error: {message}}`, no Graph envelope. */
export const controlError = (status: number, message: string): SimResponse => ({ status, body: { error: { message } } });
/** A control request the simulator cannot act on. */
export const badControl = (message: string): SimResponse => controlError(400, message);
