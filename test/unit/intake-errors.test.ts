import { OnboardingRejected } from '../../lambdas/domain/start-onboarding';
import { GraphError } from '../../lambdas/graph/graph-error';
import { intakeErrorMapper } from '../../lambdas/handlers/intake-errors';

const graphError = (errorClass: 'transient' | 'throttled' | 'permanent', code: number, retryAfter?: number) =>
  new GraphError(errorClass, { code, message: 'Graph says no', fbtraceId: 'T' }, 400, retryAfter);
const mapped = (error: unknown) => {
  const http = intakeErrorMapper(error);
  return http && { status: http.statusCode, code: http.code, retryAfter: http.headers['retry-after'] };
};

describe('intake error mapping (docs/design.md §3)', () => {
  test.each([
    ['throttling', graphError('throttled', 4), { status: 429, code: 'GRAPH_THROTTLED', retryAfter: '60' }],
    ['throttling with Graph’s estimate', graphError('throttled', 80007, 300), { status: 429, code: 'GRAPH_THROTTLED', retryAfter: '300' }],
    ['Graph down', graphError('transient', 2), { status: 503, code: 'GRAPH_UNAVAILABLE', retryAfter: '5' }],
    ['a Graph refusal we cannot explain', graphError('permanent', 100), { status: 502, code: 'GRAPH_ERROR', retryAfter: '5' }],
    ['an expired or invalid TP token (the check says so)', new OnboardingRejected('INVALID_TOKEN'), { status: 401, code: 'INVALID_TOKEN', retryAfter: undefined }],
    ['a missing permission (the check says so)', new OnboardingRejected('PERMISSION_NOT_GRANTED'), { status: 403, code: 'PERMISSION_NOT_GRANTED', retryAfter: undefined }],
    ['no app selected', new OnboardingRejected('NO_APP_SELECTED'), { status: 422, code: 'NO_APP_SELECTED', retryAfter: undefined }],
    ['a token for another app', new OnboardingRejected('TOKEN_FOR_ANOTHER_APP'), { status: 401, code: 'TOKEN_FOR_ANOTHER_APP', retryAfter: undefined }],
  ])('%s', (_, error, expected) => {
    expect(mapped(error)).toEqual(expected);
  });

  test('leaves unknown errors to the 500 handler', () => {
    expect(intakeErrorMapper(new Error('DynamoDB exploded'))).toBeUndefined();
  });
});
