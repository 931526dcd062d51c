import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import type { StartOnboardingRequest } from '../domain/start-onboarding';
import { SCHEDULE } from '../schedule';
import { HttpError } from '../commons/http';

/** The contract's body limit (docs/design.md §3). */
export const MAX_BODY_BYTES = 8 * 1024;

const startOnboardingBody = z.looseObject({ accessToken: z.string().trim().min(1) });

/**
 * FB.login's `expiresIn` (seconds), when the page sends it: a whole number within the lifetimes a
 * VERIFYING onboarding may wait (schedule.ts `verification`). Anything else is ignored, as extra
 * fields always were: the default lifetime applies.
 */
const expiresInSchema = z.number().int().min(1).max(SCHEDULE.verification.maxTokenLifetimeSeconds);

/** Validates `POST /api/onboardings` at the edge and returns the captured token, with its lifetime if the page sent a usable one. */
export function parseStartOnboarding(event: APIGatewayProxyEventV2): StartOnboardingRequest {
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
  }
  const parsed = startOnboardingBody.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, 'MISSING_TOKEN', 'The request body must be a JSON object with a non-empty "accessToken".');
  }
  const expiresIn = expiresInSchema.safeParse(parsed.data.expiresIn);
  return { accessToken: parsed.data.accessToken, ...(expiresIn.success ? { expiresInSeconds: expiresIn.data } : {}) };
}

const onboardingIdSchema = z.uuid();

export function parseOnboardingId(event: APIGatewayProxyEventV2): string | undefined {
  const parsed = onboardingIdSchema.safeParse(event.pathParameters?.onboardingId);
  return parsed.success ? parsed.data : undefined;
}
