import { z } from 'zod';
import { SCHEDULE, scaledSchedule } from './schedule';

/**
 * The one place that reads the environment. Each Lambda loads the section it needs once, at cold
 * start; a missing or malformed variable fails the start with every problem listed, not a later call.
 * Defaults are the deployed schedule's (schedule.ts).
 */

/**
 * TIME_SCALE: what the schedule's waits are multiplied by (schedule.ts), for local runs and tests
 * that must not wait real minutes; 1, the deployed values, when absent. Only shorter.
 */
const timeScale = z.coerce.number().positive().max(1).default(1);
const timeScaleSchema = z.object({ TIME_SCALE: timeScale });

/** TIME_SCALE, checked: the local runtime reads it here, as the functions do. */
export function loadTimeScale(env: NodeJS.ProcessEnv = process.env): number {
  return load(timeScaleSchema, env).TIME_SCALE;
}

/** A comma-separated permission list such as `MESSAGING,MANAGE`; empty means none. */
const permissionList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((p) => p.trim().toUpperCase()).filter(Boolean));

const graphSchema = z.object({
  GRAPH_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v25.0').default('v25.0'),
  GRAPH_APP_LISTING_PATH: z.enum(['me/assigned_applications', 'me/application_details']).default('me/assigned_applications'),
  GRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(SCHEDULE.graphTimeoutMs.createSolution),
});

const commonSchema = graphSchema.extend({
  TIME_SCALE: timeScale,
  TABLE_NAME: z.string().min(1),
  PARTNER_APP_ID: z.string().regex(/^\d+$/, 'a numeric Facebook app ID'),
  SECRET_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(SCHEDULE.secretCacheSeconds),
});

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `true` or `false`, as CDK context and the environment spell it. */
const flag = (fallback: boolean) => z.enum(['true', 'false']).default(fallback ? 'true' : 'false').transform((value) => value === 'true');

/** The permissions solutions are created with: the create worker sends them, the accept's check compares them. */
const solutionPermissionsSchema = z.object({
  OWNER_PERMISSIONS: permissionList(''),
  PARTNER_PERMISSIONS: permissionList('MESSAGING'),
});

const oneMessagingSide = (env: z.infer<typeof solutionPermissionsSchema>) => env.OWNER_PERMISSIONS.includes('MESSAGING') !== env.PARTNER_PERMISSIONS.includes('MESSAGING');
const oneMessagingSideIssue = {
  message: 'exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS must hold MESSAGING (Graph rejects both or neither)',
  path: ['PARTNER_PERMISSIONS'],
};

/** How accepts are made and retried: shared by the accept worker and the reconciler, which both accept. */
const acceptingSchema = solutionPermissionsSchema.extend({
  /** Decline on Graph a solution that the check before accepting refused (off: ops decides). */
  REJECT_MISMATCHED_SOLUTIONS: flag(false),
  SYSTEM_USER_TOKEN_SECRET_ID: z.string().min(1),
  /** How long one accept attempt holds its solution before another may take over: the stack's function timeouts decide. */
  ACCEPT_LEASE_SECONDS: z.coerce.number().int().positive(),
  /** How long a failing accept is retried before ACCEPT_FAILED. */
  ACCEPT_RETRY_PERIOD_SECONDS: positiveInt(SCHEDULE.acceptRetry.periodHours * 3600),
  /** Where a scheduled accept retry's wake-up goes (the accept function's wake queue). */
  ACCEPT_WAKE_QUEUE_URL: z.string().min(1),
});

/** What checking a Tech Provider's token and naming its solutions take: intake, and the create worker for a deferred check. */
const tokenCheckSchema = z.object({
  APP_SECRET_ID: z.string().min(1),
  PARTNER_NAME: z.string().min(1).default('Solution Partner'),
  SOLUTION_NAME_TEMPLATE: z.string().min(1).default('{partner} × {appName}'),
});

const intakeSchema = commonSchema.extend(tokenCheckSchema.shape).extend({
  CREATE_QUEUE_URL: z.string().min(1),
  /** Intake answers within this: below the function's timeout and the HTTP API's. */
  INTAKE_DEADLINE_MS: z.coerce.number().int().positive().default(SCHEDULE.intakeDeadlineMs),
});

const createSolutionSchema = commonSchema
  .extend(solutionPermissionsSchema.shape)
  .extend(tokenCheckSchema.shape)
  .extend({
    CREATE_QUEUE_URL: z.string().min(1),
    CREATE_LEASE_SECONDS: positiveInt(SCHEDULE.createLeaseSeconds),
    // The queue's own settings, which only the stack knows: no default could stay true.
    /** When a message whose attempt died comes back: the queue's visibility timeout. */
    CREATE_REDELIVERY_SECONDS: z.coerce.number().int().positive(),
    /** Receives of a create message before SQS parks it in the DLQ. */
    CREATE_MAX_RECEIVE_COUNT: z.coerce.number().int().positive(),
    /** List the app's solutions before a fresh item's first create too (finds those made in Meta's dashboard). */
    LIST_BEFORE_FIRST_CREATE: flag(false),
  })
  .refine(oneMessagingSide, oneMessagingSideIssue);

const acceptSolutionSchema = commonSchema.extend(acceptingSchema.shape).refine(oneMessagingSide, oneMessagingSideIssue);

const reconcileSchema = commonSchema
  .extend(acceptingSchema.shape)
  .extend({
    CREATE_QUEUE_URL: z.string().min(1),
    /** How long past its next attempt time an unsettled item counts as stalled. */
    RECONCILE_STALLED_AFTER_SECONDS: positiveInt(SCHEDULE.reconciler.stalledAfterSeconds),
    /** A CREATED solution no accept attempt touched for this long was missed by the stream. */
    RECONCILE_ACCEPT_HANDOFF_SECONDS: positiveInt(SCHEDULE.reconciler.acceptHandoffSeconds),
    RECONCILE_MAX_ITEMS: positiveInt(100),
    /** A live solution with no lifecycle news for this long is read again on Graph. */
    LIFECYCLE_POLL_AFTER_SECONDS: positiveInt(SCHEDULE.lifecyclePollAfterHours * 3600),
    /** A NEW client no share worker took for this long was missed by the stream. */
    SHARE_HANDOFF_SECONDS: positiveInt(SCHEDULE.clients.shareHandoffSeconds),
  })
  .refine(oneMessagingSide, oneMessagingSideIssue);

/** The currencies `whatsapp_credit_sharing_and_attach` takes (docs/graph-api.md § Clients). */
export const CREDIT_CURRENCIES = ['AUD', 'EUR', 'GBP', 'IDR', 'INR', 'USD'] as const;

const numericId = (what: string) => z.string().regex(/^\d+$/, `a numeric ${what} ID`);
const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

/** Who we are to a client's WABA, and the credit line we share (none: sharing is off, clients are NOT_SHARED). */
const clientsSchema = z.object({
  BUSINESS_ID: numericId('business portfolio'),
  SYSTEM_USER_ID: numericId('system user'),
  CREDIT_LINE_ID: z.preprocess(unsetWhenEmpty, numericId('credit line').optional()),
  CREDIT_CURRENCY: z.enum(CREDIT_CURRENCIES, { error: (issue) => `must be one of ${CREDIT_CURRENCIES.join(', ')} (Meta's list), got ${JSON.stringify(issue.input)}` }).default('USD'),
});

/** Meta's allowance of new clients per Tech Provider in any 7 days (the alarm warns at SCHEDULE.clients.warnAtPercent of it). */
const weeklyLimitSchema = z.object({ WEEKLY_CLIENT_LIMIT: positiveInt(SCHEDULE.clients.weeklyLimit) });

const shareCreditSchema = commonSchema.extend(clientsSchema.shape).extend({
  PARTNER_PERMISSIONS: solutionPermissionsSchema.shape.PARTNER_PERMISSIONS,
  SYSTEM_USER_TOKEN_SECRET_ID: z.string().min(1),
  SHARE_LEASE_SECONDS: positiveInt(SCHEDULE.shareLeaseSeconds),
  /** How long failing credit sharing is retried before CREDIT_FAILED: as accepts. */
  SHARE_RETRY_PERIOD_SECONDS: positiveInt(SCHEDULE.acceptRetry.periodHours * 3600),
  /** Where a scheduled share retry's wake-up goes (the share function's own wake queue). */
  SHARE_WAKE_QUEUE_URL: z.string().min(1),
});

const discoverClientsSchema = commonSchema.extend(clientsSchema.shape).extend(weeklyLimitSchema.shape).extend({
  SYSTEM_USER_TOKEN_SECRET_ID: z.string().min(1),
  DISCOVERY_MAX_WABAS: positiveInt(SCHEDULE.clients.maxWabasPerPass),
});

/** The webhook endpoint needs no Graph: the table, and the two secrets that authenticate Meta. */
const webhookSchema = weeklyLimitSchema.extend({
  TABLE_NAME: z.string().min(1),
  /** Who we are: a client leaving our app or our business is ours to record, one leaving another partner is not. */
  PARTNER_APP_ID: commonSchema.shape.PARTNER_APP_ID,
  BUSINESS_ID: numericId('business portfolio'),
  SECRET_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(SCHEDULE.secretCacheSeconds),
  /** Meta signs each delivery with the app secret (X-Hub-Signature-256). */
  APP_SECRET_ID: z.string().min(1),
  /** What Meta's subscription handshake must present as `hub.verify_token`. */
  WEBHOOK_VERIFY_TOKEN_SECRET_ID: z.string().min(1),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function load<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

function graphOptions(env: z.infer<typeof graphSchema>) {
  return {
    baseUrl: env.GRAPH_API_BASE_URL,
    version: env.GRAPH_API_VERSION,
    appListingPath: env.GRAPH_APP_LISTING_PATH,
    timeoutMs: env.GRAPH_TIMEOUT_MS,
  };
}

/** The app secret (debug_token's app token, the token's fingerprint) and how solutions are named. */
function tokenCheck(c: z.infer<typeof commonSchema> & z.infer<typeof tokenCheckSchema>) {
  return {
    appSecretId: c.APP_SECRET_ID,
    secretCacheTtlSeconds: c.SECRET_CACHE_TTL_SECONDS,
    onboarding: { partnerAppId: c.PARTNER_APP_ID, partnerName: c.PARTNER_NAME, solutionNameTemplate: c.SOLUTION_NAME_TEMPLATE },
  };
}

export function loadIntakeConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(intakeSchema, env);
  return {
    tableName: c.TABLE_NAME,
    createQueueUrl: c.CREATE_QUEUE_URL,
    ...tokenCheck(c),
    graph: graphOptions(c),
    deadlineMs: c.INTAKE_DEADLINE_MS,
  };
}

export function loadCreateSolutionConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(createSolutionSchema, env);
  const schedule = scaledSchedule(c.TIME_SCALE);
  return {
    tableName: c.TABLE_NAME,
    createQueueUrl: c.CREATE_QUEUE_URL,
    graph: graphOptions(c),
    // A deferred check of an onboarding's token rides on this queue too.
    ...tokenCheck(c),
    solution: {
      partnerAppId: c.PARTNER_APP_ID,
      ownerPermissions: c.OWNER_PERMISSIONS,
      partnerPermissions: c.PARTNER_PERMISSIONS,
      createLeaseMs: c.CREATE_LEASE_SECONDS * 1000,
      redeliveryMs: c.CREATE_REDELIVERY_SECONDS * 1000,
      listBeforeFirstCreate: c.LIST_BEFORE_FIRST_CREATE,
      backoff: schedule.createBackoff,
      unknownCreateSettleSeconds: schedule.unknownCreateSettleSeconds,
      busyRetryMs: schedule.busyRetryMs,
    },
    maxReceiveCount: c.CREATE_MAX_RECEIVE_COUNT,
    redelivery: { backoff: schedule.createBackoff, busyDeferrals: schedule.busyDeferrals },
  };
}

/** A function that calls Graph as us: the table, the system-user token (cached) and Graph. */
function systemUserFunction(c: z.infer<typeof commonSchema> & { SYSTEM_USER_TOKEN_SECRET_ID: string }) {
  return { tableName: c.TABLE_NAME, systemUserTokenSecretId: c.SYSTEM_USER_TOKEN_SECRET_ID, secretCacheTtlSeconds: c.SECRET_CACHE_TTL_SECONDS, graph: graphOptions(c) };
}

/** What both functions that accept need: the accept worker and the reconciler. */
function acceptingFunction(c: z.infer<typeof acceptSolutionSchema>) {
  return {
    ...systemUserFunction(c),
    acceptWakeQueueUrl: c.ACCEPT_WAKE_QUEUE_URL,
    acceptance: {
      partnerAppId: c.PARTNER_APP_ID,
      ownerPermissions: c.OWNER_PERMISSIONS,
      partnerPermissions: c.PARTNER_PERMISSIONS,
      rejectMismatched: c.REJECT_MISMATCHED_SOLUTIONS,
      acceptLeaseMs: c.ACCEPT_LEASE_SECONDS * 1000,
      retryPeriodMs: c.ACCEPT_RETRY_PERIOD_SECONDS * 1000,
      backoff: scaledSchedule(c.TIME_SCALE).acceptBackoff,
    },
  };
}

export function loadAcceptSolutionConfig(env: NodeJS.ProcessEnv = process.env) {
  return acceptingFunction(load(acceptSolutionSchema, env));
}

export function loadReconcileConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(reconcileSchema, env);
  return {
    ...acceptingFunction(c),
    createQueueUrl: c.CREATE_QUEUE_URL,
    reconciliation: {
      partnerAppId: c.PARTNER_APP_ID,
      stalledAfterMs: c.RECONCILE_STALLED_AFTER_SECONDS * 1000,
      acceptHandoffMs: c.RECONCILE_ACCEPT_HANDOFF_SECONDS * 1000,
      lifecyclePollAfterMs: c.LIFECYCLE_POLL_AFTER_SECONDS * 1000,
      shareHandoffMs: c.SHARE_HANDOFF_SECONDS * 1000,
      maxItemsPerPass: c.RECONCILE_MAX_ITEMS,
      // An item's Graph calls (three at most: the check's read, the accept, a confirming read), each
      // with its wait for its turn, and its writes.
      minTimeLeftMs: 3 * (c.GRAPH_TIMEOUT_MS + SCHEDULE.graphPacing.maxWaitMs) + SCHEDULE.reconcileItemWritesMs,
    },
  };
}

export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(webhookSchema, env);
  return {
    tableName: c.TABLE_NAME,
    secretCacheTtlSeconds: c.SECRET_CACHE_TTL_SECONDS,
    appSecretId: c.APP_SECRET_ID,
    verifyTokenSecretId: c.WEBHOOK_VERIFY_TOKEN_SECRET_ID,
    weeklyClientLimit: c.WEEKLY_CLIENT_LIMIT,
    us: { partnerAppId: c.PARTNER_APP_ID, businessId: c.BUSINESS_ID },
  };
}

/** Who we are to a client's WABA: our business, our system user, and the credit line (when one is configured) in its currency. */
function creditSharing(c: z.infer<typeof clientsSchema>) {
  return { businessId: c.BUSINESS_ID, systemUserId: c.SYSTEM_USER_ID, creditLine: c.CREDIT_LINE_ID === undefined ? undefined : { id: c.CREDIT_LINE_ID, currency: c.CREDIT_CURRENCY } };
}

export function loadShareCreditConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(shareCreditSchema, env);
  return {
    ...systemUserFunction(c),
    shareWakeQueueUrl: c.SHARE_WAKE_QUEUE_URL,
    sharing: {
      ...creditSharing(c),
      partnerPermissions: c.PARTNER_PERMISSIONS,
      leaseMs: c.SHARE_LEASE_SECONDS * 1000,
      retryPeriodMs: c.SHARE_RETRY_PERIOD_SECONDS * 1000,
      backoff: scaledSchedule(c.TIME_SCALE).acceptBackoff,
    },
  };
}

export function loadDiscoverClientsConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(discoverClientsSchema, env);
  return {
    ...systemUserFunction(c),
    discovery: { businessId: c.BUSINESS_ID, maxWabasPerPass: c.DISCOVERY_MAX_WABAS, weeklyClientLimit: c.WEEKLY_CLIENT_LIMIT },
  };
}

/** The ops CLI: the table, the secret and Graph (for decisions on solutions), when a requeued create message comes back, the accept lease, and the weekly client allowance. */
const opsSchema = graphSchema.extend({
  TABLE_NAME: z.string().min(1),
  /** For `ops credit-line`, which lists our business's credit lines: optional elsewhere. */
  BUSINESS_ID: z.preprocess(unsetWhenEmpty, numericId('business portfolio').optional()),
  SYSTEM_USER_TOKEN_SECRET_ID: z.string().min(1),
  CREATE_REDELIVERY_SECONDS: z.coerce.number().int().positive(),
  ACCEPT_LEASE_SECONDS: z.coerce.number().int().positive(),
}).extend(weeklyLimitSchema.shape);

export function loadOpsConfig(env: NodeJS.ProcessEnv) {
  const c = load(opsSchema, env);
  return {
    tableName: c.TABLE_NAME,
    systemUserTokenSecretId: c.SYSTEM_USER_TOKEN_SECRET_ID,
    graph: graphOptions(c),
    createRedeliveryMs: c.CREATE_REDELIVERY_SECONDS * 1000,
    acceptLeaseMs: c.ACCEPT_LEASE_SECONDS * 1000,
    businessId: c.BUSINESS_ID,
    /** `stats` compares each Tech Provider app's new clients of the last 7 days with it. */
    weeklyClientLimit: c.WEEKLY_CLIENT_LIMIT,
  };
}
