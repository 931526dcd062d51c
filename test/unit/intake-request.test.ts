import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseOnboardingId, parseStartOnboarding } from '../../lambdas/handlers/intake-request';
import { HttpError } from '../../lambdas/commons/http';

const event = (body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, isBase64Encoded = false) =>
  ({ headers, body, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

function refusal(e: APIGatewayProxyEventV2): HttpError {
  try {
    parseStartOnboarding(e);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected a refusal');
}

describe('POST /api/onboardings body', () => {
  test('returns the token and its lifetime (FB.login’s expiresIn), and ignores the other fields the SDK sends', () => {
    expect(parseStartOnboarding(event(JSON.stringify({ accessToken: 'EAAtok', userID: '1', expiresIn: 5000 })))).toEqual({ accessToken: 'EAAtok', expiresInSeconds: 5000 });
  });

  test.each([
    ['absent', undefined],
    ['zero', 0],
    ['negative', -5],
    ['not whole', 12.5],
    ['a string', '5000'],
    ['longer than a message may hold the token', 25 * 3600],
  ])('ignores an expiresIn that is %s: the default lifetime applies', (_, expiresIn) => {
    expect(parseStartOnboarding(event(JSON.stringify({ accessToken: 'EAAtok', expiresIn })))).toEqual({ accessToken: 'EAAtok' });
  });

  test('accepts a base64-encoded body and a charset parameter', () => {
    const body = Buffer.from(JSON.stringify({ accessToken: 'EAAtok' })).toString('base64');
    expect(parseStartOnboarding(event(body, { 'content-type': 'application/json; charset=utf-8' }, true))).toEqual({ accessToken: 'EAAtok' });
  });

  test.each([
    ['not JSON', event('x', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', event('{}', {}), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['over 8 KiB', event(JSON.stringify({ accessToken: 'a'.repeat(8 * 1024) })), 413, 'PAYLOAD_TOO_LARGE'],
    ['malformed JSON', event('{"accessToken":'), 400, 'MALFORMED_JSON'],
    ['no token', event('{}'), 400, 'MISSING_TOKEN'],
    ['a blank token', event('{"accessToken":"   "}'), 400, 'MISSING_TOKEN'],
    ['a non-string token', event('{"accessToken":42}'), 400, 'MISSING_TOKEN'],
    ['a JSON array', event('[]'), 400, 'MISSING_TOKEN'],
  ])('refuses %s', (_, e, status, code) => {
    const error = refusal(e);
    expect([error.statusCode, error.code]).toEqual([status, code]);
  });

  test('never echoes the token in an error', () => {
    const error = refusal(event('{"accessToken": "EAAsecret", ', { 'content-type': 'application/json' }));
    expect(error.message).not.toContain('EAAsecret');
  });
});

describe('GET /api/onboardings/{onboardingId}', () => {
  test('accepts only a UUID', () => {
    const id = '2f1c8a52-5d1e-4c55-9f6e-0c8f1f3b9a10';
    expect(parseOnboardingId({ pathParameters: { onboardingId: id } } as unknown as APIGatewayProxyEventV2)).toBe(id);
    expect(parseOnboardingId({ pathParameters: { onboardingId: 'ONBOARDING#x' } } as unknown as APIGatewayProxyEventV2)).toBeUndefined();
  });
});
