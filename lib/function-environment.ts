import { SCHEDULE, scaledSchedule } from '../lambdas/schedule';
import { CREATE_QUEUE, FUNCTIONS, RECONCILER, type GraphCallingFunction } from './pipeline-settings';

/** Deployment choices that reach the functions as environment variables (names: lambdas/config.ts). */
export interface PartnerSettings {
  partnerAppId: string;
  partnerName?: string;
  solutionNameTemplate?: string;
  ownerPermissions?: string;
  partnerPermissions?: string;
  graphApiBaseUrl?: string;
  graphApiVersion?: string;
  /** How long a failing accept is retried, in hours (default: the schedule's acceptRetry.periodHours). */
  acceptRetryHours?: string;
  /** `true`: decline on Graph a solution the check before accepting refused (default `false`). */
  rejectMismatchedSolutions?: string;
  /** `true`: list the app's solutions before every first create, to find those made in Meta's dashboard (default `false`). */
  listBeforeFirstCreate?: string;
  /** After how many hours without lifecycle news a live solution is read again (default: the schedule's lifecyclePollAfterHours). */
  lifecyclePollHours?: string;
  /** Our business portfolio: the partner Meta shares client WABAs with, and the owner of the credit line. */
  businessId: string;
  /** The system user (its token is the system-user secret) that is assigned to each client's WABA before sharing. */
  systemUserId: string;
  /** The credit line shared with each client; absent, sharing is off and clients are recorded NOT_SHARED. */
  creditLineId?: string;
  /** The currency the client's WABA is billed in (default USD; Meta's list in lambdas/config.ts). */
  creditCurrency?: string;
  /** Meta's allowance of new clients per Tech Provider in any 7 days (default: the schedule's weeklyLimit). */
  weeklyClientLimit?: string;
}

/** Where each function finds its resources: names locally, ARNs/URLs from the stack in AWS. */
export interface PipelineResources {
  tableName: string;
  createQueueUrl: string;
  acceptWakeQueueUrl: string;
  shareWakeQueueUrl: string;
  appSecretId: string;
  systemUserTokenSecretId: string;
  webhookVerifyTokenSecretId: string;
}

const optional = (entries: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

/**
 * Each function's environment, built in one place for the CDK stack and the local runtime, so that
 * both hand the handlers exactly the same variables. `timeScale` (the local runtime's TIME_SCALE;
 * 1 in the stack) scales the schedule's waits, and is passed on for the waits the functions hold
 * in code (lambdas/config.ts); explicit context values (`acceptRetryHours`, ...) are taken as given.
 */
export function functionEnvironments(partner: PartnerSettings, resources: PipelineResources, createMaxReceiveCount: number = CREATE_QUEUE.maxReceiveCount, timeScale = 1) {
  const schedule = scaledSchedule(timeScale);
  const scale = optional({ TIME_SCALE: timeScale === 1 ? undefined : String(timeScale) });
  const common = (name: GraphCallingFunction) => ({
    TABLE_NAME: resources.tableName,
    PARTNER_APP_ID: partner.partnerAppId,
    GRAPH_TIMEOUT_MS: String(FUNCTIONS[name].graphTimeoutMs),
    ...optional({ GRAPH_API_BASE_URL: partner.graphApiBaseUrl, GRAPH_API_VERSION: partner.graphApiVersion }),
  });
  // What the solutions are created with: the create worker sends it, the check before accepting compares it.
  const permissions = optional({ OWNER_PERMISSIONS: partner.ownerPermissions, PARTNER_PERMISSIONS: partner.partnerPermissions });
  // Both accept: the stream's first attempt, and the reconciler's later ones; both wake the retries they schedule.
  const acceptRetry = {
    ACCEPT_WAKE_QUEUE_URL: resources.acceptWakeQueueUrl,
    ...permissions,
    ...optional({ REJECT_MISMATCHED_SOLUTIONS: partner.rejectMismatchedSolutions }),
    SYSTEM_USER_TOKEN_SECRET_ID: resources.systemUserTokenSecretId,
    ACCEPT_LEASE_SECONDS: String(schedule.acceptRetry.leaseSeconds),
    ACCEPT_RETRY_PERIOD_SECONDS: String(hoursInSeconds(partner.acceptRetryHours ?? schedule.acceptRetry.periodHours)),
    ...scale,
  };
  // Who we are to a client's WABA: both client functions call Graph as our system user.
  const ourBusiness = {
    SYSTEM_USER_TOKEN_SECRET_ID: resources.systemUserTokenSecretId,
    BUSINESS_ID: partner.businessId,
    SYSTEM_USER_ID: partner.systemUserId,
    ...scale,
  };
  // Checking a Tech Provider's token (debug_token signs with the app secret) and naming its solutions:
  // intake, and the create worker for a check intake deferred.
  const tokenCheck = {
    APP_SECRET_ID: resources.appSecretId,
    ...optional({ PARTNER_NAME: partner.partnerName, SOLUTION_NAME_TEMPLATE: partner.solutionNameTemplate }),
  };
  // The webhook counts new clients against it as they come, the daily pass as it finds them; given
  // always, so that the functions and the allowance alarm (lib/constructs/monitoring.ts) read one number.
  const weeklyLimit = { WEEKLY_CLIENT_LIMIT: weeklyClientLimit(partner) };
  return {
    intake: {
      ...common('intake'),
      CREATE_QUEUE_URL: resources.createQueueUrl,
      ...tokenCheck,
      INTAKE_DEADLINE_MS: String(schedule.intakeDeadlineMs),
    },
    createSolution: {
      ...common('createSolution'),
      // The check of a token intake could not make in time (a verify message), and the solutions it then names.
      ...tokenCheck,
      // To delay the retry of a message that failed (capped exponential backoff on its visibility).
      CREATE_QUEUE_URL: resources.createQueueUrl,
      ...optional({ LIST_BEFORE_FIRST_CREATE: partner.listBeforeFirstCreate }),
      // One attempt may hold a solution for as long as the worker may run. A crashed attempt's
      // message returns after the visibility timeout (6× longer), when its lease has long expired;
      // an attempt that fails releases its lease before its message comes back.
      CREATE_LEASE_SECONDS: String(schedule.createLeaseSeconds),
      CREATE_REDELIVERY_SECONDS: String(schedule.createQueue.visibilityTimeoutSeconds),
      // Its last delivery tells the record that no retry follows: the reconciler settles it.
      CREATE_MAX_RECEIVE_COUNT: String(createMaxReceiveCount),
      ...permissions,
      ...scale,
    },
    acceptSolution: {
      ...common('acceptSolution'),
      ...acceptRetry,
    },
    reconcile: {
      ...common('reconcile'),
      ...acceptRetry,
      // Only to read how many messages wait (a backlog is late, not lost).
      CREATE_QUEUE_URL: resources.createQueueUrl,
      RECONCILE_STALLED_AFTER_SECONDS: String(schedule.reconciler.stalledAfterSeconds),
      RECONCILE_ACCEPT_HANDOFF_SECONDS: String(schedule.reconciler.acceptHandoffSeconds),
      RECONCILE_MAX_ITEMS: String(RECONCILER.maxItemsPerPass),
      LIFECYCLE_POLL_AFTER_SECONDS: String(hoursInSeconds(partner.lifecyclePollHours ?? schedule.lifecyclePollAfterHours)),
      SHARE_HANDOFF_SECONDS: String(schedule.clients.shareHandoffSeconds),
    },
    webhook: {
      TABLE_NAME: resources.tableName,
      APP_SECRET_ID: resources.appSecretId,
      WEBHOOK_VERIFY_TOKEN_SECRET_ID: resources.webhookVerifyTokenSecretId,
      // Who we are, to tell a client leaving us from one leaving another partner.
      PARTNER_APP_ID: partner.partnerAppId,
      BUSINESS_ID: partner.businessId,
      ...weeklyLimit,
    },
    shareCredit: {
      ...common('shareCredit'),
      ...ourBusiness,
      ...optional({ CREDIT_LINE_ID: partner.creditLineId, CREDIT_CURRENCY: partner.creditCurrency }),
      // The check that our app holds MESSAGING in the client's solution (which decides the WABA task asked for).
      ...optional({ PARTNER_PERMISSIONS: partner.partnerPermissions }),
      // An attempt holds its client for as long as the worker may run.
      SHARE_LEASE_SECONDS: String(schedule.shareLeaseSeconds),
      // Retried like accepts, for the schedule's period (scaled locally; the functions' default is not).
      SHARE_RETRY_PERIOD_SECONDS: String(hoursInSeconds(schedule.acceptRetry.periodHours)),
      // Where its retries' wake-ups wait until due (and come back to it from).
      SHARE_WAKE_QUEUE_URL: resources.shareWakeQueueUrl,
    },
    discoverClients: {
      ...common('discoverClients'),
      ...ourBusiness,
      ...weeklyLimit,
      DISCOVERY_MAX_WABAS: String(schedule.clients.maxWabasPerPass),
    },
  } satisfies Record<keyof typeof FUNCTIONS, Record<string, string>>;
}

/** The allowance the functions count against and the alarm warns before: context `weeklyClientLimit`, else Meta's (the schedule's). */
export function weeklyClientLimit(partner: PartnerSettings): string {
  return partner.weeklyClientLimit ?? String(SCHEDULE.clients.weeklyLimit);
}

/** Context hours (`-c lifecyclePollHours=0.01` works too) as whole seconds; what is not a number is left for the config check to refuse. */
function hoursInSeconds(hours: string | number): number {
  return Math.round(Number(hours) * 3600);
}
