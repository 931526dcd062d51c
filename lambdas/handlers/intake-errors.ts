import { IntakeDeadlineExceeded, OnboardingRejected, type OnboardingRejection } from '../domain/start-onboarding';
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

/** Seconds a browser should wait before retrying when Graph throttles us or is down. */
const RETRY_AFTER_THROTTLED = SCHEDULE.intakeRetryAfterSeconds.throttled;
const RETRY_AFTER_UNAVAILABLE = String(SCHEDULE.intakeRetryAfterSeconds.unavailable);

/** Intake's mapping of domain and Graph errors to the public contract (docs/design.md §3). */
export function intakeErrorMapper(error: unknown): HttpError | undefined {
  if (error instanceof OnboardingRejected) return new HttpError(REJECTION_STATUS[error.code], error.code, error.message);
  // Graph was too slow for intake to finish within its deadline; nothing was written.
  if (error instanceof IntakeDeadlineExceeded) return unavailable();
  if (!(error instanceof GraphError)) return undefined;
  if (error.isTokenError) {
    return new HttpError(401, 'INVALID_TOKEN', 'The Facebook login is no longer valid (expired or revoked). Run the flow again.');
  }
  if (error.isPermissionError) {
    return new HttpError(403, 'PERMISSION_NOT_GRANTED', 'The manage_app_solution permission was not granted. Run the flow again and allow it.');
  }
  if (error.errorClass === 'throttled') {
    return new HttpError(429, 'GRAPH_THROTTLED', 'Facebook is rate-limiting us right now. Try again in a minute.', {
      'retry-after': String(error.retryAfterSeconds ?? RETRY_AFTER_THROTTLED),
    });
  }
  if (error.errorClass === 'transient') return unavailable();
  return new HttpError(502, 'GRAPH_ERROR', 'Facebook refused the request. Try the flow again; if it keeps failing, contact support.', { 'retry-after': RETRY_AFTER_UNAVAILABLE });
}

function unavailable(): HttpError {
  return new HttpError(503, 'GRAPH_UNAVAILABLE', 'Facebook is not answering right now. Try again in a few seconds.', { 'retry-after': RETRY_AFTER_UNAVAILABLE });
}
