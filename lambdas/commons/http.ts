import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { ApiErrorCode } from './api-error-codes';
import { logger } from './observability';

/** An error the API answers with as it is: status, SCREAMING_SNAKE code, a sentence for people. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** Maps an error thrown by a route to the response it deserves (docs/design.md §3). */
export type ErrorMapper = (error: unknown) => HttpError | undefined;

/**
 * Error responses in the contract's shape `{"error": {"code", "message"}}`. Known errors map through
 * `mapError`; the router's unknown-route 404 keeps its status; anything else is logged and becomes a
 * 500 that reveals nothing of the request.
 */
export function httpErrors(mapError: ErrorMapper): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      const known = error instanceof HttpError ? error : mapError(error) ?? fromMiddy(error);
      if (known) {
        logger.info('request refused', { statusCode: known.statusCode, errorCode: known.code });
        request.response = json(known.statusCode, { error: { code: known.code, message: known.message } }, known.headers);
        return;
      }
      logger.error('request failed', { error: error as Error });
      request.response = json(500, { error: { code: 'INTERNAL_ERROR' satisfies ApiErrorCode, message: 'Something went wrong on our side. Try again in a minute.' } });
    },
  };
}

function fromMiddy(error: unknown): HttpError | undefined {
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (statusCode === 404) return new HttpError(404, 'NOT_FOUND', 'There is no such resource.');
  return undefined;
}
