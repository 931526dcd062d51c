/**
 * How the pipeline's functions and event sources are tuned: the one copy that both the CDK stack
 * and the local runtime read, so local runs behave like the deployed stack.
 */

export const FUNCTIONS = {
  intake: { timeoutSeconds: 10, memoryMiB: 512 },
  createSolution: { timeoutSeconds: 30, memoryMiB: 512 },
  acceptSolution: { timeoutSeconds: 30, memoryMiB: 512 },
} as const;

export const CREATE_QUEUE = {
  /** Lambda's guidance: at least 6× the consumer's timeout, so a slow batch is not redelivered mid-flight. */
  visibilityTimeoutSeconds: 6 * FUNCTIONS.createSolution.timeoutSeconds,
  /** Receives before a message is parked in the DLQ (transient Graph failures retry until then). */
  maxReceiveCount: 5,
  /** The message holds the TP token: keep it no longer than a retry window needs. */
  retentionSeconds: 24 * 3600,
  dlqRetentionSeconds: 14 * 24 * 3600,
} as const;

/** Stream batches the accept function gave up on: metadata only, kept as long as a DLQ. */
export const ACCEPT_FAILURE_QUEUE = { retentionSeconds: CREATE_QUEUE.dlqRetentionSeconds } as const;

export const CREATE_EVENT_SOURCE = {
  batchSize: 5,
  maxBatchingWindowSeconds: 0,
  /** Caps parallel Graph create calls (the Graph API rate-limits per app and per user). */
  maxConcurrency: 5,
  reportBatchItemFailures: true,
} as const;

/**
 * Only solution items that just became CREATED reach the accept function. The old image must exist
 * and not be CREATED, so an unrelated update of a CREATED item does not trigger a second accept.
 */
export const ACCEPT_FILTER_PATTERN = {
  eventName: ['MODIFY'],
  dynamodb: {
    NewImage: { entity: { S: ['solution'] }, status: { S: ['CREATED'] } },
    OldImage: { status: { S: [{ 'anything-but': ['CREATED'] }] } },
  },
} as const;

export const ACCEPT_EVENT_SOURCE = {
  batchSize: 10,
  startingPosition: 'TRIM_HORIZON',
  reportBatchItemFailures: true,
  bisectBatchOnError: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 3600,
  filterPattern: ACCEPT_FILTER_PATTERN,
} as const;

/** Local names of the secrets; in AWS the stack passes the secrets' ARNs instead. */
export const SECRET_NAMES = {
  systemUserToken: 'mps-onboarding/system-user-token',
  appSecret: 'mps-onboarding/app-secret',
} as const;
