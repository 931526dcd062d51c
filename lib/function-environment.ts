import { scaledSchedule } from '../lambdas/schedule';
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
}

/** Where each function finds its resources: names locally, ARNs/URLs from the stack in AWS. */
export interface PipelineResources {
  tableName: string;
  createQueueUrl: string;
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
  // Both accept: the stream's first attempt, and the reconciler's later ones.
  const acceptRetry = {
    ...permissions,
    ...optional({ REJECT_MISMATCHED_SOLUTIONS: partner.rejectMismatchedSolutions }),
    SYSTEM_USER_TOKEN_SECRET_ID: resources.systemUserTokenSecretId,
    ACCEPT_LEASE_SECONDS: String(schedule.acceptRetry.leaseSeconds),
    ACCEPT_RETRY_PERIOD_SECONDS: String(hoursInSeconds(partner.acceptRetryHours ?? schedule.acceptRetry.periodHours)),
    ...scale,
  };
  return {
    intake: {
      ...common('intake'),
      CREATE_QUEUE_URL: resources.createQueueUrl,
      APP_SECRET_ID: resources.appSecretId,
      INTAKE_DEADLINE_MS: String(schedule.intakeDeadlineMs),
      ...optional({ PARTNER_NAME: partner.partnerName, SOLUTION_NAME_TEMPLATE: partner.solutionNameTemplate }),
    },
    createSolution: {
      ...common('createSolution'),
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
    },
    webhook: {
      TABLE_NAME: resources.tableName,
      APP_SECRET_ID: resources.appSecretId,
      WEBHOOK_VERIFY_TOKEN_SECRET_ID: resources.webhookVerifyTokenSecretId,
    },
  } satisfies Record<keyof typeof FUNCTIONS, Record<string, string>>;
}

/** Context hours (`-c lifecyclePollHours=0.01` works too) as whole seconds; what is not a number is left for the config check to refuse. */
function hoursInSeconds(hours: string | number): number {
  return Math.round(Number(hours) * 3600);
}
