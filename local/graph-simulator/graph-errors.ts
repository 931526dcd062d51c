import { randomBytes } from 'node:crypto';

/** A Graph error response, in Graph's exact envelope (shared/graph-api.md § Errors). */
export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function graphError(
  status: number,
  fields: { code: number; message: string; type?: string; subcode?: number; isTransient?: boolean },
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
        fbtrace_id: `Sim${randomBytes(8).toString('base64url')}`,
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
  unknownPath: () =>
    graphError(400, {
      code: 100,
      type: 'GraphMethodException',
      subcode: 33,
      message: 'Unsupported request - method type or object does not exist, cannot be loaded due to missing permissions, or does not support this operation',
    }),
};
