import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { scaledSchedule } from '../../lambdas/schedule';
import { WEBHOOK_PATH } from '../../lib/page-config';
import { SECRET_NAMES, type QueueSourceSettings } from '../../lib/pipeline-settings';
import { startGraphSimulator, type GraphSimulator } from '../graph-simulator/server';
import { DEFAULT_SEED } from '../graph-simulator/state';
import { checkpointFile } from './checkpoint-file';
import { ensureTable, isDynamoDbLocalFor, startDynamoDbLocal } from './dynamodb-local';
import type { EventSource } from './event-source';
import { freePort } from './free-port';
import { bundleFunctions } from './function-bundles';
import { startHttpGateway } from './http-gateway';
import { LocalFunction } from './function-pool';
import { localDeploymentSettings, localWiring, type LocalWiring } from './local-wiring';
import { acquireDataDir, recordDynamoDbPid, releaseDataDir, writeRuntimeFile, type RuntimeEndpoints } from './runtime-file';
import { startSecretsManager } from './secrets-manager-local';
import { startQueues } from './sqs-local';
import { startSqsEventSource } from './sqs-event-source';
import { startStreamEventSource } from './stream-event-source';
import { startSchedule } from './schedule-event-source';
import { startUsageMeter, type UsageMeter } from './usage-meter';

export interface LocalRuntimeOptions {
  port: number;
  dataDir: string;
  /** Wipe local data (DynamoDB tables, queues) before starting. */
  reset: boolean;
  /** When set, no simulator is started and the functions call this Graph API instead. */
  graphApiBaseUrl?: string;
  partnerAppId?: string;
  systemUserToken?: string;
  appSecret?: string;
  /** What Meta's subscription handshake presents; the simulator's default when absent. */
  webhookVerifyToken?: string;
  /** CDK context values that override cdk.json's, as `cdk synth -c key=value` would. */
  context?: Record<string, string>;
  /** The reconciler's period; the (scaled) schedule's when absent. */
  reconcileIntervalSeconds?: number;
  /** The client discovery's period; the (scaled) schedule's daily one when absent. */
  discoveryIntervalSeconds?: number;
  /** TIME_SCALE: what the schedule's waits are multiplied by, here and in the functions (lambdas/schedule.ts); 1 when absent. */
  timeScale?: number;
  /** Where the functions' bundles are built, or found already built from the same sources; `bundles` in the data directory when absent. */
  bundlesDir?: string;
  /**
   * Count what the functions and event sources ask of DynamoDB and SQS (request units, requests) and
   * of Lambda (invocations, billed milliseconds) behind a meter (usage-meter.ts), for the bench's cost
   * of a solution; runtime.json then names its `usage` URL. Off by default: it is one more hop.
   */
  meterUsage?: boolean;
  log: (line: string) => void;
}

export interface LocalRuntime {
  endpoints: RuntimeEndpoints;
  graphSimulator?: GraphSimulator;
  /** One client discovery pass now, as its schedule would run it (`npm start` runs one on SIGUSR2). */
  discoverClients(): Promise<unknown>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const TABLE_NAME = 'mps-onboarding';
const WEB_DIR = resolve(import.meta.dirname, '../../web');
/**
 * Concurrent intake sandboxes. API Gateway runs as many as requests come; its rate limit
 * (HTTP_API_THROTTLE, 25/s) at about a third of a second per POST (two Graph calls, three writes)
 * keeps about eight busy, and so many serve a burst here without a queue.
 */
const INTAKE_CONCURRENCY = 8;
/** Meta's deliveries come one at a time per subscription, retries aside. */
const WEBHOOK_CONCURRENCY = 2;
/** What a sandbox inherits from the runtime's own environment; Lambda sets the rest. */
const SANDBOX_ENV_PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_DEV'];

/**
 * The deployed pipeline on this machine: DynamoDB Local, fauxqs, a Secrets Manager endpoint and the
 * Graph simulator (whose webhooks reach the webhook function), with the handlers wired through emulated event sources whose settings are
 * the stack's own (lib/pipeline-settings.ts).
 */
export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(opts.dataDir);
  if (opts.graphApiBaseUrl && (!opts.systemUserToken || !opts.appSecret || !opts.partnerAppId)) {
    throw new Error('With GRAPH_API_BASE_URL set, also set PARTNER_APP_ID, SYSTEM_USER_TOKEN and APP_SECRET for that Graph API.');
  }
  const dynamoDbDir = join(dataDir, 'dynamodb');
  acquireDataDir(dataDir, (pid) => isDynamoDbLocalFor(pid, dynamoDbDir));
  if (opts.reset) for (const store of ['dynamodb', 'sqs']) rmSync(join(dataDir, store), { recursive: true, force: true });

  const stops: (() => Promise<void> | void)[] = [() => releaseDataDir(dataDir)];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
    stops.length = 0;
  };
  try {
    // Built while the emulators start; awaited where the sandboxes need it (a failure is thrown there).
    const bundling = bundleFunctions(opts.bundlesDir ? resolve(opts.bundlesDir) : join(dataDir, 'bundles'));
    bundling.catch(() => undefined);
    const settings = localDeploymentSettings({ ...opts.context, ...(opts.partnerAppId ? { partnerAppId: opts.partnerAppId } : {}) });
    const { partnerAppId } = settings.partner;
    const systemUserToken = opts.systemUserToken ?? DEFAULT_SEED.systemUserToken;
    const appSecret = opts.appSecret ?? DEFAULT_SEED.appSecret;
    const webhookVerifyToken = opts.webhookVerifyToken ?? DEFAULT_SEED.webhookVerifyToken;

    const graphSimulator = opts.graphApiBaseUrl
      ? undefined
      : await startGraphSimulator({ seed: { partnerApp: { ...DEFAULT_SEED.partnerApp, id: partnerAppId }, systemUserToken, appSecret, webhookVerifyToken } });
    if (graphSimulator) stops.push(() => graphSimulator.stop());
    const graphUrl = opts.graphApiBaseUrl ?? graphSimulator!.url;

    const dynamo = await startDynamoDbLocal(dynamoDbDir, await freePort());
    stops.push(() => stopChild(dynamo.process));
    if (dynamo.process.pid) recordDynamoDbPid(dataDir, dynamo.process.pid);
    const streamArn = await ensureTable(dynamo.endpoint, TABLE_NAME);
    const queues = await startQueues(settings.createMaxReceiveCount, REGION, join(dataDir, 'sqs'));
    const wiring = localWiring(settings, {
      timeScale: opts.timeScale ?? 1,
      graphApiBaseUrl: graphUrl,
      sdkUrl: `${graphUrl}/sdk.js`,
      resources: {
        tableName: TABLE_NAME,
        createQueueUrl: queues.createQueueUrl,
        acceptWakeQueueUrl: queues.acceptWakeQueueUrl,
        shareWakeQueueUrl: queues.shareWakeQueueUrl,
        appSecretId: SECRET_NAMES.appSecret,
        systemUserTokenSecretId: SECRET_NAMES.systemUserToken,
        webhookVerifyTokenSecretId: SECRET_NAMES.webhookVerifyToken,
      },
    });
    stops.push(() => queues.stop());
    const secrets = await startSecretsManager({
      [SECRET_NAMES.systemUserToken]: systemUserToken,
      [SECRET_NAMES.appSecret]: appSecret,
      [SECRET_NAMES.webhookVerifyToken]: webhookVerifyToken,
    });
    stops.push(() => secrets.stop());
    const meter: UsageMeter | undefined = opts.meterUsage ? await startUsageMeter({ dynamodb: dynamo.endpoint, sqs: queues.endpoint }) : undefined;
    if (meter) stops.push(() => meter.stop());
    /** Where a caller (a function by its name, or the event sources) sends its DynamoDB and SQS requests. */
    const awsEndpoints = (caller: string) => ({
      AWS_ENDPOINT_URL_DYNAMODB: meter?.endpoint('dynamodb', caller) ?? dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: meter?.endpoint('sqs', caller) ?? queues.endpoint,
    });

    // Each function's environment exactly as the stack sets it, plus the local AWS endpoints and a
    // few harmless variables of the developer's (never their AWS configuration or secrets).
    const baseEnvironment = {
      ...Object.fromEntries(SANDBOX_ENV_PASSED_THROUGH.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))),
      TZ: 'UTC',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    } as Record<string, string>;
    const bundles = await bundling;
    const localFunction = (name: keyof LocalWiring['functions'], maxConcurrency: number) =>
      new LocalFunction({
        functionName: name,
        handlerModule: bundles.handlers[name],
        workerModule: bundles.worker,
        timeoutSeconds: wiring.functions[name].timeoutSeconds,
        memoryMiB: wiring.functions[name].memoryMiB,
        environment: { ...baseEnvironment, ...awsEndpoints(name), ...wiring.functions[name].environment },
        maxConcurrency,
        usage: meter && { invoked: (ms) => meter.invoked(name, ms), initialized: (ms) => meter.initialized(name, ms) },
      });
    const intake = localFunction('intake', INTAKE_CONCURRENCY);
    const createSolution = localFunction('createSolution', wiring.createEventSource.maxConcurrency);
    // DynamoDB Local's stream has one shard: as many invocations at once as its parallelization factor,
    // and as many more as the wake queue's event source allows.
    const acceptSolution = localFunction('acceptSolution', wiring.acceptEventSource.parallelizationFactor + wiring.wakeEventSources.acceptSolution.maxConcurrency);
    const reconcile = localFunction('reconcile', 1);
    const webhook = localFunction('webhook', WEBHOOK_CONCURRENCY);
    const shareCredit = localFunction('shareCredit', wiring.shareEventSource.parallelizationFactor + wiring.wakeEventSources.shareCredit.maxConcurrency);
    // One pass at a time: a pass on demand waits for a scheduled one, and the other way round.
    const discoverClients = localFunction('discoverClients', 1);
    const functions = [intake, createSolution, acceptSolution, reconcile, webhook, shareCredit, discoverClients];
    stops.push(() => Promise.all(functions.map((fn) => fn.stop())).then(() => undefined));
    const onError = (source: string) => (error: unknown) => opts.log(`[${source}] ${error instanceof Error ? error.message : String(error)}`);

    // Lambda's pollers' requests are billed to the account as the functions' are.
    const sqs = new SQSClient({ region: REGION, endpoint: awsEndpoints('eventSources').AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const streams = new DynamoDBStreamsClient({ region: REGION, endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    // Each stream worker reads the one stream on its own, as each event source mapping does, with its own checkpoints.
    const streamWorker = (fn: LocalFunction, name: string, settings: LocalWiring['acceptEventSource'] | LocalWiring['shareEventSource'], failureQueueUrl: string, checkpoints: string) =>
      startStreamEventSource({
        streams,
        streamArn,
        settings,
        onFailure: { sqs, queueUrl: failureQueueUrl, functionArn: `arn:aws:lambda:local:000000000000:function:${name}` },
        checkpoints: checkpointFile(join(dataDir, 'dynamodb', checkpoints), streamArn),
        invoke: (event: DynamoDBStreamEvent) => fn.invoke<DynamoDBBatchResponse>(event),
        onError: onError(name),
      });
    const scheduled = (fn: LocalFunction, name: string, intervalSeconds: number) =>
      startSchedule({ intervalSeconds, invoke: (event) => fn.invoke(event), onError: onError(name) });
    // The queues' ARNs first (what the records name), so that every source starts or none does.
    const queueArns = new Map<string, string>();
    for (const queueUrl of [queues.createQueueUrl, queues.acceptWakeQueueUrl, queues.shareWakeQueueUrl]) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      queueArns.set(queueUrl, Attributes?.QueueArn ?? '');
    }
    // An SQS event source mapping, with the stack's settings for it.
    const queueSource = (fn: LocalFunction, name: string, queueUrl: string, settings: QueueSourceSettings) =>
      startSqsEventSource({
        sqs,
        queueUrl,
        queueArn: queueArns.get(queueUrl) ?? '',
        batchSize: settings.batchSize,
        maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
        maxConcurrency: settings.maxConcurrency,
        invoke: (event: SQSEvent) => fn.invoke<SQSBatchResponse>(event),
        onError: onError(name),
      });
    const sources: EventSource[] = [
      queueSource(createSolution, 'create-solution', queues.createQueueUrl, wiring.createEventSource),
      streamWorker(acceptSolution, 'accept-solution', wiring.acceptEventSource, queues.acceptFailureQueueUrl, 'stream-checkpoints.json'),
      queueSource(acceptSolution, 'accept-solution-wake', queues.acceptWakeQueueUrl, wiring.wakeEventSources.acceptSolution),
      streamWorker(shareCredit, 'share-credit', wiring.shareEventSource, queues.shareFailureQueueUrl, 'share-credit-stream-checkpoints.json'),
      queueSource(shareCredit, 'share-credit-wake', queues.shareWakeQueueUrl, wiring.wakeEventSources.shareCredit),
      scheduled(reconcile, 'reconcile', opts.reconcileIntervalSeconds ?? scaledSchedule(opts.timeScale ?? 1).reconciler.intervalSeconds),
      scheduled(discoverClients, 'discover-clients', opts.discoveryIntervalSeconds ?? wiring.discoveryIntervalHours * 3600),
    ];
    stops.push(async () => {
      await Promise.all(sources.map((s) => s.stop()));
      sqs.destroy();
      streams.destroy();
    });

    const http = await startHttpGateway({
      port: opts.port,
      webDir: WEB_DIR,
      pageConfig: wiring.page,
      invokeApi: (event) => intake.invoke<APIGatewayProxyStructuredResultV2>(event),
      invokeWebhook: (event) => webhook.invoke<APIGatewayProxyStructuredResultV2>(event),
      onError: onError('intake'),
    });
    stops.push(() => http.stop());
    const webhookUrl = `${http.url}${WEBHOOK_PATH}`;
    // As ops does in Meta's app dashboard: the simulator checks the callback with the handshake first.
    if (graphSimulator) await subscribeWebhooks(graphSimulator, webhookUrl, webhookVerifyToken);
    // Then one sandbox per function, ahead of the first request (the webhook's is up already): the
    // runtime is ready once they are loaded.
    await Promise.all(functions.map((fn) => fn.warm()));

    const endpoints: RuntimeEndpoints = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      http: http.url,
      webhook: webhookUrl,
      dynamodb: dynamo.endpoint,
      sqs: queues.endpoint,
      secretsManager: secrets.endpoint,
      graph: graphUrl,
      region: REGION,
      tableName: TABLE_NAME,
      queues: {
        createSolution: queues.createQueueUrl,
        createSolutionDlq: queues.createDlqUrl,
        acceptSolutionFailures: queues.acceptFailureQueueUrl,
        shareCreditFailures: queues.shareFailureQueueUrl,
        acceptSolutionWake: queues.acceptWakeQueueUrl,
        shareCreditWake: queues.shareWakeQueueUrl,
        wakeDlq: queues.wakeDlqUrl,
      },
      secretNames: SECRET_NAMES,
      wiring,
      ...(meter ? { usage: meter.url } : {}),
    };
    writeRuntimeFile(dataDir, endpoints);
    // EventBridge Scheduler's event: empty, as the schedule sends it.
    return { endpoints, graphSimulator, discoverClients: () => discoverClients.invoke({}), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Handshakes a sandbox still starting on a busy machine may miss (Meta's give up after seconds too). */
const SUBSCRIBE_ATTEMPTS = 3;

/** Subscribes the simulator's webhooks to the runtime's callback, as ops would in the app dashboard, trying again a couple of times. */
async function subscribeWebhooks(simulator: GraphSimulator, callbackUrl: string, verifyToken: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await simulator.state.webhooks.subscribe(callbackUrl, verifyToken);
    } catch (error) {
      if (attempt === SUBSCRIBE_ATTEMPTS) throw error;
    }
  }
}

/** Stops a child process and waits for it to exit, escalating to SIGKILL if it lingers. */
async function stopChild(child: import('node:child_process').ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
