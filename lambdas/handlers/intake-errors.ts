import { graphTrouble, OnboardingRejected, type GraphTrouble, type OnboardingRejection } from '../domain/start-onboarding';
import { GraphError } from '../graph/graph-error';
import { SCHEDULE } from '../schedule';
import { HttpError } from '../commons/http';

const REJECTION_STATUS: Record<OnboardingRejection, number> = {
  INVALID_TOKEN: 401,
  TOKEN_FOR_ANOTHER_APP: 401,
  PERMISSION_NOT_GRANTED: 403,
  NO_APP_SELECTED: 422,
  TOO_MANY_APPS: 422,
};

/** Graph's trouble, where intake still answers it (a permanent refusal; a throttle or an outage is deferred to the verify message instead). */
const TROUBLE_STATUS: Record<GraphTrouble, number> = { GRAPH_THROTTLED: 429, GRAPH_UNAVAILABLE: 503, GRAPH_ERROR: 502 };

/** Seconds a browser should wait before retrying when Graph throttles us or is down. */
const RETRY_AFTER_THROTTLED = SCHEDULE.intakeRetryAfterSeconds.throttled;
const RETRY_AFTER_UNAVAILABLE = String(SCHEDULE.intakeRetryAfterSeconds.unavailable);

/** Intake's mapping of domain and Graph errors to the public contract (docs/design.md §3); the codes and sentences are the domain's. */
export function intakeErrorMapper(error: unknown): HttpError | undefined {
  if (error instanceof OnboardingRejected) return new HttpError(REJECTION_STATUS[error.code], error.code, error.message);
  if (!(error instanceof GraphError)) return undefined;
  const { code, message } = graphTrouble(error);
  const retryAfter = code === 'GRAPH_THROTTLED' ? String(error.retryAfterSeconds ?? RETRY_AFTER_THROTTLED) : RETRY_AFTER_UNAVAILABLE;
  return new HttpError(TROUBLE_STATUS[code], code, message, { 'retry-after': retryAfter });
}
