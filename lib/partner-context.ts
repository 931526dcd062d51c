import {
  ConfigError,
  loadAcceptSolutionConfig,
  loadCreateSolutionConfig,
  loadDiscoverClientsConfig,
  loadIntakeConfig,
  loadReconcileConfig,
  loadShareCreditConfig,
  loadWebhookConfig,
} from '../lambdas/config';
import { functionEnvironments, type PartnerSettings, type PipelineResources } from './function-environment';
import { CREATE_QUEUE } from './pipeline-settings';

/** Reads one context key: `app.node.tryGetContext` for the CDK app, cdk.json's context for the local runtime. */
export type ContextReader = (key: string) => unknown;

/** What a deployment is configured with: CDK context (`cdk.json`, or `-c key=value`). */
export interface DeploymentSettings {
  partner: PartnerSettings;
  alarmEmail?: string;
  /** Deliveries of a create message before it is parked in the DLQ (context `createMaxReceiveCount`). */
  createMaxReceiveCount: number;
}

/** SQS accepts a redrive policy's maxReceiveCount from 1 to 1000. */
const MAX_RECEIVE_COUNT_RANGE = { min: 1, max: 1000 } as const;

const OPTIONAL_PARTNER_KEYS = [
  'partnerName',
  'solutionNameTemplate',
  'ownerPermissions',
  'partnerPermissions',
  'graphApiBaseUrl',
  'graphApiVersion',
  'acceptRetryHours',
  'rejectMismatchedSolutions',
  'listBeforeFirstCreate',
  'lifecyclePollHours',
  'creditLineId',
  'creditCurrency',
  'weeklyClientLimit',
] as const satisfies readonly (keyof PartnerSettings)[];

const CONTEXT_KEYS: ReadonlySet<string> = new Set(['partnerAppId', 'businessId', 'systemUserId', ...OPTIONAL_PARTNER_KEYS]);
const camelCase = (variable: string) => variable.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The sample app ID in cdk.json: synth works offline with it, but no real deployment should use it. */
export const SAMPLE_PARTNER_APP_ID = '1000000000000001';

export class ContextError extends Error {
  override readonly name = 'ContextError';
}

function optionalString(context: ContextReader, key: string): string | undefined {
  const value: unknown = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ContextError(`CDK context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Reads the deployment settings from CDK context (the local runtime reads the same keys from
 * cdk.json, so that it runs as configured for deploys) and fails synth with a clear message when they
 * would not start the functions: the same validation (lambdas/config.ts) the functions run at cold
 * start, applied to the environment the stack would hand them.
 */
export function readDeploymentSettings(context: ContextReader): DeploymentSettings {
  const partner: PartnerSettings = {
    partnerAppId: requiredId(context, 'partnerAppId', "the Solution Partner's numeric Facebook app ID", 'app ID'),
    businessId: requiredId(context, 'businessId', 'your business portfolio ID, the partner Meta shares client WABAs with (Business Settings → Business info)', 'business portfolio ID'),
    systemUserId: requiredId(context, 'systemUserId', 'the ID of the system user whose token is the system-user secret (Business Settings → System users)', 'system user ID'),
  };
  for (const key of OPTIONAL_PARTNER_KEYS) {
    const value = optionalString(context, key);
    if (value !== undefined) partner[key] = value;
  }
  const alarmEmail = optionalString(context, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new ContextError(`CDK context "alarmEmail" is not an email address: ${JSON.stringify(alarmEmail)}`);
  }
  loadFunctionConfigs(partner);
  return { partner, ...(alarmEmail === undefined ? {} : { alarmEmail }), createMaxReceiveCount: readMaxReceiveCount(context) };
}

/**
 * A Meta ID the deployment cannot do without: present, and digits written as a string (Meta's IDs
 * exceed Number.MAX_SAFE_INTEGER: a JSON number would already have lost digits).
 */
function requiredId(context: ContextReader, key: string, what: string, kind: string): string {
  const raw: unknown = context(key);
  if (raw === undefined || raw === null || raw === '') {
    throw new ContextError(`CDK context "${key}" is required: ${what} (cdk.json "context", or -c ${key}=<id>)`);
  }
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) {
    throw new ContextError(`CDK context "${key}" must be a numeric ${kind} written as a string, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** `-c createMaxReceiveCount=8` arrives as a string, cdk.json may hold a number: both must be a whole count SQS accepts. */
function readMaxReceiveCount(context: ContextReader): number {
  const raw: unknown = context('createMaxReceiveCount');
  if (raw === undefined || raw === null || raw === '') return CREATE_QUEUE.maxReceiveCount;
  const count = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  const { min, max } = MAX_RECEIVE_COUNT_RANGE;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < min || count > max) {
    throw new ContextError(`CDK context "createMaxReceiveCount" must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return count;
}

/** Stand-ins for the stack's resources when only the partner settings matter. */
const PLACEHOLDER_RESOURCES: PipelineResources = {
  tableName: 'validated-at-synth',
  createQueueUrl: 'validated-at-synth',
  acceptWakeQueueUrl: 'validated-at-synth',
  shareWakeQueueUrl: 'validated-at-synth',
  appSecretId: 'validated-at-synth',
  systemUserTokenSecretId: 'validated-at-synth',
  webhookVerifyTokenSecretId: 'validated-at-synth',
};

/**
 * The functions' configurations as lambdas/config.ts loads them at cold start, from the
 * environment the stack hands them: invalid context fails synth, and defaults come from that module.
 */
export function loadFunctionConfigs(partner: PartnerSettings) {
  const env = functionEnvironments(partner, PLACEHOLDER_RESOURCES);
  try {
    return {
      intake: loadIntakeConfig(env.intake),
      createSolution: loadCreateSolutionConfig(env.createSolution),
      acceptSolution: loadAcceptSolutionConfig(env.acceptSolution),
      reconcile: loadReconcileConfig(env.reconcile),
      webhook: loadWebhookConfig(env.webhook),
      shareCredit: loadShareCreditConfig(env.shareCredit),
      discoverClients: loadDiscoverClientsConfig(env.discoverClients),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One line, as `cdk synth` and `npm start` print it (the config module lists one problem a line),
    // naming the context key where a variable is one's spelled in capitals (creditCurrency → CREDIT_CURRENCY).
    const problems = error.message
      .replace(/^Invalid configuration:\s*/, '')
      .split(/\n\s*/)
      .map((problem) => problem.replace(/^([A-Z_]+):/, (all, variable: string) => (CONTEXT_KEYS.has(camelCase(variable)) ? `context "${camelCase(variable)}" (${variable}):` : all)));
    throw new ContextError(`CDK context gives the functions an invalid configuration: ${problems.join('; ')} (context keys map to variables in lib/function-environment.ts, docs/configuration.md)`);
  }
}
