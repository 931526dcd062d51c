/**
 * Every `error.code` the HTTP API answers with (docs/design.md §3), so that the page's explanations can be
 * checked against them (test/unit/page-contract.test.ts): HttpError takes no other.
 */

/** What the onboarding page can meet and the Tech Provider can act on: the page explains each one. */
export const TECH_PROVIDER_ERROR_CODES = [
  'MISSING_TOKEN',
  'INVALID_TOKEN',
  /** Only on an onboarding's status, never a POST's answer: the token's lifetime ended before Graph let us check it. */
  'TOKEN_EXPIRED',
  'TOKEN_FOR_ANOTHER_APP',
  'PERMISSION_NOT_GRANTED',
  'NO_APP_SELECTED',
  'TOO_MANY_APPS',
  'GRAPH_THROTTLED',
  'GRAPH_UNAVAILABLE',
  'GRAPH_ERROR',
  'ONBOARDING_NOT_FOUND',
] as const;

/** Answers to requests our page never sends as such (a bug, another caller), to Meta's webhook calls, and our own failure. */
export const OTHER_ERROR_CODES = ['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND', 'HANDSHAKE_REFUSED', 'INVALID_SIGNATURE', 'MALFORMED_PAYLOAD', 'INTERNAL_ERROR'] as const;

export type ApiErrorCode = (typeof TECH_PROVIDER_ERROR_CODES)[number] | (typeof OTHER_ERROR_CODES)[number];
