import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOpsConfig } from '../lambdas/config';
import type { ClientStore } from '../lambdas/domain/clients/client-records';
import type { RecordStore } from '../lambdas/domain/records/record-store';
import { SCHEDULE } from '../lambdas/schedule';
import { dynamoClientStore, dynamoRecordStore } from '../lambdas/store/dynamo-record-store';
import { SECRET_NAMES } from '../lib/pipeline-settings';
import { readRuntimeFile } from '../local/runtime/runtime-file';
import { OpsError } from './ops-error';

/** Where the records, queues, secret and Graph of one deployment are, and clients for them. */
export interface OpsTarget {
  /** Said in the output: which deployment a command acted on. */
  name: string;
  store: RecordStore;
  /** The clients onboarded through our solutions, in the same table. */
  clients: ClientStore;
  tableName: string;
  queues: { create?: string; createDlq?: string; acceptFailures?: string };
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  secrets: SecretsManagerClient;
  config: ReturnType<typeof loadOpsConfig>;
  destroy(): void;
}

export interface TargetFlags {
  stack?: string;
  table?: string;
  queue?: string;
  dlq?: string;
  'failure-queue'?: string;
}

/** The stack outputs the CLI reads (lib/mps-onboarding-stack.ts). */
const OUTPUTS = { table: 'TableName', create: 'CreateQueueUrl', createDlq: 'CreateDlqUrl', acceptFailures: 'AcceptFailureQueueUrl', systemUserToken: 'SystemUserTokenSecretArn' } as const;

/**
 * `--stack NAME` (its outputs), or `--table` with `--queue`/`--dlq`/`--failure-queue`: a deployed
 * stack, through the standard AWS credential chain and region. Otherwise the local runtime that
 * `npm start` runs on `DATA_DIR` (`.data` by default), found through its runtime.json.
 */
export async function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Promise<OpsTarget> {
  if (flags.stack && flags.table) throw OpsError.usage('give --stack or --table, not both');
  if (flags.stack) return stackTarget(flags.stack, env);
  if (flags.table) {
    return awsTarget(`table ${flags.table}`, env, {
      tableName: flags.table,
      queues: { create: flags.queue, createDlq: flags.dlq, acceptFailures: flags['failure-queue'] },
      systemUserTokenSecretId: SECRET_NAMES.systemUserToken,
    });
  }
  if (flags.queue || flags.dlq || flags['failure-queue']) throw OpsError.usage('--queue, --dlq and --failure-queue go with --table');
  return localTarget(env.DATA_DIR ?? '.data', env);
}

function localTarget(dataDir: string, env: NodeJS.ProcessEnv): OpsTarget {
  const runtime = readRuntimeFile(dataDir);
  if (!runtime) throw OpsError.target(`no local runtime found in ${dataDir} (start one with \`npm start\`, or set DATA_DIR); for a deployed stack give --stack NAME`);
  const local = { region: runtime.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const { reconcile, createSolution } = runtime.wiring.functions;
  // The reconciler's own environment, as the runtime recorded it: the same table, secret and Graph;
  // our business and the weekly allowance as whichever function is given them, else from the shell.
  const config = loadOpsConfig({
    ...reconcile.environment,
    CREATE_REDELIVERY_SECONDS: createSolution.environment.CREATE_REDELIVERY_SECONDS,
    BUSINESS_ID: anyFunctionSetting(runtime.wiring.functions, 'BUSINESS_ID') ?? env.BUSINESS_ID,
    WEEKLY_CLIENT_LIMIT: anyFunctionSetting(runtime.wiring.functions, 'WEEKLY_CLIENT_LIMIT') ?? env.WEEKLY_CLIENT_LIMIT,
  });
  return clients(`local runtime ${runtime.http} (${dataDir})`, config, { create: runtime.queues.createSolution, createDlq: runtime.queues.createSolutionDlq, acceptFailures: runtime.queues.acceptSolutionFailures }, {
    dynamodb: { ...local, endpoint: runtime.dynamodb },
    sqs: { ...local, endpoint: runtime.sqs },
    secretsManager: { ...local, endpoint: runtime.secretsManager },
  });
}

/** A setting as the first function that has it was given it (undefined: none has). */
function anyFunctionSetting(functions: Record<string, { environment: Record<string, string> }>, name: string): string | undefined {
  return Object.values(functions).find((fn) => fn.environment[name] !== undefined)?.environment[name];
}

async function stackTarget(stackName: string, env: NodeJS.ProcessEnv): Promise<OpsTarget> {
  const cloudFormation = new CloudFormationClient({});
  let outputs: Record<string, string>;
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    // CloudFormation answers a stack it does not know with a ValidationError.
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw OpsError.target(`stack ${stackName} not found in ${await regionOf(cloudFormation)} (check --stack, and AWS_REGION or your profile's region)`);
    }
    throw error;
  } finally {
    cloudFormation.destroy();
  }
  const tableName = outputs[OUTPUTS.table];
  if (!tableName) throw OpsError.target(`stack ${stackName} has no ${OUTPUTS.table} output: is it this project's stack?`);
  return awsTarget(`stack ${stackName}`, env, {
    tableName,
    queues: { create: outputs[OUTPUTS.create], createDlq: outputs[OUTPUTS.createDlq], acceptFailures: outputs[OUTPUTS.acceptFailures] },
    systemUserTokenSecretId: outputs[OUTPUTS.systemUserToken] ?? SECRET_NAMES.systemUserToken,
  });
}

async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return `region ${await client.config.region()}`;
  } catch {
    return 'the configured region';
  }
}

function awsTarget(name: string, env: NodeJS.ProcessEnv, deployment: { tableName: string; queues: OpsTarget['queues']; systemUserTokenSecretId: string }): OpsTarget {
  // Graph at its default address, never one left in the shell for local work (the system-user token
  // goes there); redelivery and the accept lease as the stack sets them. Our business (`credit-line`)
  // and the weekly allowance, when not the default, are no stack outputs: from the shell.
  const config = loadOpsConfig({
    TABLE_NAME: deployment.tableName,
    SYSTEM_USER_TOKEN_SECRET_ID: deployment.systemUserTokenSecretId,
    CREATE_REDELIVERY_SECONDS: String(SCHEDULE.createQueue.visibilityTimeoutSeconds),
    ACCEPT_LEASE_SECONDS: String(SCHEDULE.acceptRetry.leaseSeconds),
    BUSINESS_ID: env.BUSINESS_ID,
    WEEKLY_CLIENT_LIMIT: env.WEEKLY_CLIENT_LIMIT,
  });
  // An endpoint set for SQS (AWS_ENDPOINT_URL_SQS) must win over the host in a queue URL.
  const sqsEndpoint = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  return clients(name, config, deployment.queues, { dynamodb: {}, sqs: sqsEndpoint ? { endpoint: sqsEndpoint } : {}, secretsManager: {} });
}

type ClientConfig = Pick<DynamoDBClientConfig, 'region' | 'endpoint' | 'credentials'>;

function clients(name: string, config: OpsTarget['config'], queues: OpsTarget['queues'], endpoints: { dynamodb: ClientConfig; sqs: ClientConfig; secretsManager: ClientConfig }): OpsTarget {
  const dynamo = new DynamoDBClient(endpoints.dynamodb);
  // Queue URLs name their own endpoint in AWS; the emulator's (sqs.<region>.localhost) may not resolve.
  const sqs = new SQSClient({ ...endpoints.sqs, ...(endpoints.sqs.endpoint ? { useQueueUrlAsEndpoint: false } : {}) });
  const streams = new DynamoDBStreamsClient(endpoints.dynamodb);
  const secrets = new SecretsManagerClient(endpoints.secretsManager);
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return {
    name,
    store: dynamoRecordStore(db, config.tableName),
    clients: dynamoClientStore(db, config.tableName),
    tableName: config.tableName,
    queues,
    sqs,
    streams,
    secrets,
    config,
    destroy() {
      for (const client of [dynamo, sqs, streams, secrets]) client.destroy();
    },
  };
}
