/**
 * The names the functions publish under and the CDK stack's alarms and dashboard query: constants
 * only, so that `cdk synth` can import them without creating a logger or a metrics buffer.
 */
/** The EMF namespace and `service` dimension. */
export const METRICS_NAMESPACE = 'MpsOnboarding';
export const SERVICE_NAME = 'mps-onboarding';

/** Custom metric names; the CDK alarms and dashboard refer to these. */
export const METRIC = {
  onboardingStarted: 'OnboardingStarted',
  /** Intake took a click whose token Graph did not let it check in time: VERIFYING, checked from the queue. */
  onboardingVerificationDeferred: 'OnboardingVerificationDeferred',
  /** A deferred check ended the onboarding FAILED (the token rejected, its lifetime over, or Graph's trouble to the last delivery). */
  onboardingVerificationFailed: 'OnboardingVerificationFailed',
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
  /** A scheduled retry's wake-up could not be sent: the reconciler takes the retry when due, up to a pass later. */
  wakeNotSent: 'WakeNotSent',
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
  /** A status write the transition table refused before any write (a bug in its caller): always worth a look. */
  transitionRefused: 'TransitionRefused',
  /** A client recorded for the first time (webhook or the daily pass), and when the daily pass found one no webhook told of. */
  clientRecorded: 'ClientRecorded',
  clientDiscovered: 'ClientDiscovered',
  /** An account_update about a client of a solution that is not ours, or of none: logged, never recorded or acted on. */
  clientNotOurs: 'ClientNotOurs',
  /** An account_update client event without a usable waba_info: logged and ignored. */
  clientNewsMalformed: 'ClientNewsMalformed',
  clientRemoved: 'ClientRemoved',
  /** Our credit line is on the client's WABA, verified. */
  creditShared: 'CreditShared',
  /** CREDIT_FAILED: refused for good, another line on the WABA, or retried for the whole period: the alarm's metric. */
  creditShareFailed: 'CreditShareFailed',
  /** A sharing attempt failed in a way worth retrying; the next one is scheduled. */
  creditShareAttemptFailed: 'CreditShareAttemptFailed',
  /** The Tech Provider app's new clients over the last 7 days, after each new one: its Maximum is alarmed at 80 % of the allowance. */
  weeklyClients: 'WeeklyClientsPerApp',
  /** A webhook delivery whose signature did not verify: refused, nothing written. */
  webhookSignatureInvalid: 'WebhookSignatureInvalid',
  /** A signed delivery about another object than whatsapp_business_account: answered 200, nothing applied. */
  webhookObjectIgnored: 'WebhookObjectIgnored',
  /** A signed delivery over the change limit (SCHEDULE.webhookMaxChanges): refused 413, nothing written. */
  webhookDeliveryTooLarge: 'WebhookDeliveryTooLarge',
} as const;
