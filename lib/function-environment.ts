import { ACCEPT_RETRY, CREATE_QUEUE, FUNCTIONS, INTAKE_DEADLINE_MS, RECONCILER } from './pipeline-settings';

/** Deployment choices that reach the functions as environment variables (names: lambdas/config.ts). */
export interface PartnerSettings {
  partnerAppId: string;
  partnerName?: string;
  solutionNameTemplate?: string;
  ownerPermissions?: string;
  partnerPermissions?: string;
  graphApiBaseUrl?: string;
  graphApiVersion?: string;
  /** How long a failing accept is retried, in hours (default ACCEPT_RETRY.periodHours). */
  acceptRetryHours?: string;
}

/** Where each function finds its resources: names locally, ARNs/URLs from the stack in AWS. */
export interface PipelineResources {
  tableName: string;
  createQueueUrl: string;
  appSecretId: string;
  systemUserTokenSecretId: string;
}

const optional = (entries: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

/**
 * Each function's environment, built in one place for the CDK stack and the local runtime, so that
 * both hand the handlers exactly the same variables.
 */
export function functionEnvironments(partner: PartnerSettings, resources: PipelineResources, createMaxReceiveCount: number = CREATE_QUEUE.maxReceiveCount) {
  const common = (name: keyof typeof FUNCTIONS) => ({
    TABLE_NAME: resources.tableName,
    PARTNER_APP_ID: partner.partnerAppId,
    GRAPH_TIMEOUT_MS: String(FUNCTIONS[name].graphTimeoutMs),
    ...optional({ GRAPH_API_BASE_URL: partner.graphApiBaseUrl, GRAPH_API_VERSION: partner.graphApiVersion }),
  });
  // Both accept: the stream's first attempt, and the reconciler's later ones.
  const acceptRetry = {
    SYSTEM_USER_TOKEN_SECRET_ID: resources.systemUserTokenSecretId,
    ACCEPT_LEASE_SECONDS: String(ACCEPT_RETRY.leaseSeconds),
    ACCEPT_RETRY_PERIOD_SECONDS: String(Number(partner.acceptRetryHours ?? ACCEPT_RETRY.periodHours) * 3600),
  };
  return {
    intake: {
      ...common('intake'),
      CREATE_QUEUE_URL: resources.createQueueUrl,
      APP_SECRET_ID: resources.appSecretId,
      INTAKE_DEADLINE_MS: String(INTAKE_DEADLINE_MS),
      ...optional({ PARTNER_NAME: partner.partnerName, SOLUTION_NAME_TEMPLATE: partner.solutionNameTemplate }),
    },
    createSolution: {
      ...common('createSolution'),
      // To delay the retry of a message that failed (capped exponential backoff on its visibility).
      CREATE_QUEUE_URL: resources.createQueueUrl,
      // One attempt may hold a solution for as long as the worker may run. A crashed attempt's
      // message returns after the visibility timeout (6× longer), when its lease has long expired;
      // an attempt that fails releases its lease before its message comes back.
      CREATE_LEASE_SECONDS: String(FUNCTIONS.createSolution.timeoutSeconds),
      CREATE_REDELIVERY_SECONDS: String(CREATE_QUEUE.visibilityTimeoutSeconds),
      // Its last delivery tells the record that no retry follows: the reconciler settles it.
      CREATE_MAX_RECEIVE_COUNT: String(createMaxReceiveCount),
      ...optional({ OWNER_PERMISSIONS: partner.ownerPermissions, PARTNER_PERMISSIONS: partner.partnerPermissions }),
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
      RECONCILE_STALLED_AFTER_SECONDS: String(RECONCILER.stalledAfterSeconds),
      RECONCILE_ACCEPT_HANDOFF_SECONDS: String(RECONCILER.acceptHandoffSeconds),
      RECONCILE_MAX_ITEMS: String(RECONCILER.maxItemsPerPass),
    },
  } satisfies Record<keyof typeof FUNCTIONS, Record<string, string>>;
}
