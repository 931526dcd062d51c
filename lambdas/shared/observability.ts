import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and one metrics instance per function, as in Powertools' examples/app. The service
 * name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE when set.
 * Every log line carries `onboardingId` as the correlation id across the three functions.
 */
/** The EMF namespace and `service` dimension; the CDK alarms and dashboard query these. */
export const METRICS_NAMESPACE = 'MpsOnboarding';
export const SERVICE_NAME = 'mps-onboarding';

export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Metrics' own diagnostics go through the structured logger. "No application metrics to publish"
 * is expected for invocations that record none (status reads), so it is demoted to debug.
 */
const metricsDiagnostics = {
  trace: (message: unknown) => logger.trace(String(message)),
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) => (String(message).startsWith('No application metrics to publish') ? logger.debug(String(message)) : logger.warn(String(message))),
  error: (message: unknown) => logger.error(String(message)),
};

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger: metricsDiagnostics });

/** Custom metric names; the CDK alarms and dashboard refer to these. */
export const METRIC = {
  onboardingStarted: 'OnboardingStarted',
  solutionCreated: 'SolutionCreated',
  solutionCreateFailed: 'SolutionCreateFailed',
  solutionExisting: 'SolutionExisting',
  /** A solution made on Graph that no record holds: always worth a look. */
  solutionOrphaned: 'SolutionOrphaned',
  solutionAccepted: 'SolutionAccepted',
  /** ACCEPT_FAILED: refused for good, or retried for the whole retry period. */
  solutionAcceptFailed: 'SolutionAcceptFailed',
  /** An attempt failed in a way worth retrying; the next one is scheduled. */
  createAttemptFailed: 'CreateAttemptFailed',
  acceptAttemptFailed: 'AcceptAttemptFailed',
  /** The reconciler found on Graph a solution whose attempt never recorded it, and adopted it. */
  solutionAdopted: 'SolutionAdopted',
  /** The reconciler ended in CREATE_FAILED a solution whose create message (and token) was gone. */
  solutionCreateAbandoned: 'SolutionCreateAbandoned',
  /** Read before its accept, a solution was not the one we asked for: not accepted (ACCEPT_FAILED, SOLUTION_MISMATCH). */
  solutionMismatch: 'SolutionMismatch',
  /** Lifecycle changes after the accept (webhook, or the reconciler's read), one count per record that changed. */
  solutionActive: 'SolutionActive',
  solutionDeactivationRequested: 'SolutionDeactivationRequested',
  solutionRejected: 'SolutionRejected',
  solutionDeactivated: 'SolutionDeactivated',
  /** Lifecycle news about a solution no record holds, or with a status Graph does not document. */
  lifecycleNewsUnmatched: 'LifecycleNewsUnmatched',
  /** A webhook delivery whose signature did not verify: refused, nothing written. */
  webhookSignatureInvalid: 'WebhookSignatureInvalid',
} as const;
