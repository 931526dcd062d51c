import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Template } from 'aws-cdk-lib/assertions';
import type { LocalWiring } from '../../local/runtime/local-wiring';
import type { PipelineFunctionName } from '../../lib/constructs/pipeline-function';
import { FUNCTIONS } from '../../lib/pipeline-settings';
import { arn, ref, resourceOf, synthApp, TEST_PARTNER_APP_ID } from '../infra/app-under-test';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * The local runtime must not drift from what `cdk deploy` creates. This compares the synthesized
 * template (with cdk.json's context, as `cdk synth` sees it, and the same partner app ID) with what the running local runtime
 * really set up: queue attributes and the table as the emulators report them, and the event-source
 * and function settings the runtime recorded in runtime.json.
 */
let runtime: RuntimeProcess;
let template: Template;
let stack: ReturnType<typeof synthApp>['stack'];
let wiring: LocalWiring;

/** Variables only the deployed functions have; the local runtime adds its AWS endpoints outside `wiring`. */
const DEPLOY_ONLY_VARIABLES = ['NODE_OPTIONS'];
/** Only local: the functions call the Graph simulator (deployed, they use the default Graph URL). */
const LOCAL_ONLY_VARIABLES = ['GRAPH_API_BASE_URL'];
/** Variables whose values name resources, which differ by nature between AWS and local. */
const RESOURCE_VARIABLES = ['TABLE_NAME', 'CREATE_QUEUE_URL', 'ACCEPT_WAKE_QUEUE_URL', 'SHARE_WAKE_QUEUE_URL', 'APP_SECRET_ID', 'SYSTEM_USER_TOKEN_SECRET_ID', 'WEBHOOK_VERIFY_TOKEN_SECRET_ID'];

beforeAll(async () => {
  // A real-looking partner app ID on both sides (cdk.json's sample one makes synth warn); the deployed schedule.
  runtime = await startRuntimeProcess({ env: { PARTNER_APP_ID: TEST_PARTNER_APP_ID, TIME_SCALE: '1' } });
  wiring = runtime.endpoints.wiring;
  ({ template, stack } = synthApp());
}, 90_000);
afterAll(() => runtime?.stop());

const mappings = () => Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map((r) => r.Properties as Record<string, any>);

describe('the local runtime follows the synthesized stack', () => {
  test.each(Object.keys(FUNCTIONS) as PipelineFunctionName[])('function %s: timeout, memory and environment', (name) => {
    const deployed = resourceOf(template, stack.pipeline.functions[name]).Properties;
    const local = wiring.functions[name];
    expect(local.timeoutSeconds).toBe(deployed.Timeout);
    expect(local.memoryMiB).toBe(deployed.MemorySize);

    const deployedVariables = deployed.Environment.Variables as Record<string, unknown>;
    const names = Object.keys(deployedVariables).filter((n) => !DEPLOY_ONLY_VARIABLES.includes(n));
    expect(Object.keys(local.environment).filter((n) => !LOCAL_ONLY_VARIABLES.includes(n)).sort()).toEqual(names.sort());
    for (const variable of names.filter((n) => !RESOURCE_VARIABLES.includes(n))) {
      expect([variable, local.environment[variable]]).toEqual([variable, deployedVariables[variable]]);
    }
  });

  test('create queue, DLQ, on-failure queues, wake queues and their DLQ: attributes as fauxqs reports them', async () => {
    const sqs = new SQSClient({ endpoint: runtime.endpoints.sqs, region: runtime.endpoints.region, credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, useQueueUrlAsEndpoint: false });
    const attributes = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    const { queues } = runtime.endpoints;
    const [create, dlq, failures, shareFailures, acceptWake, shareWake, wakeDlq] = await Promise.all([
      attributes(queues.createSolution),
      attributes(queues.createSolutionDlq),
      attributes(queues.acceptSolutionFailures),
      attributes(queues.shareCreditFailures),
      attributes(queues.acceptSolutionWake),
      attributes(queues.shareCreditWake),
      attributes(queues.wakeDlq),
    ]);
    sqs.destroy();

    const deployed = (construct: Parameters<typeof resourceOf>[1]) => resourceOf(template, construct).Properties;
    const createQueue = deployed(stack.data.createQueue);
    expect(Number(create.VisibilityTimeout)).toBe(createQueue.VisibilityTimeout);
    expect(Number(create.MessageRetentionPeriod)).toBe(createQueue.MessageRetentionPeriod);
    expect(Number(JSON.parse(create.RedrivePolicy!).maxReceiveCount)).toBe(createQueue.RedrivePolicy.maxReceiveCount);
    expect(JSON.parse(create.RedrivePolicy!).deadLetterTargetArn).toBe(dlq.QueueArn);
    expect(Number(dlq.MessageRetentionPeriod)).toBe(deployed(stack.data.createDlq).MessageRetentionPeriod);
    expect(Number(failures.MessageRetentionPeriod)).toBe(deployed(stack.data.acceptFailureQueue).MessageRetentionPeriod);
    expect(Number(shareFailures.MessageRetentionPeriod)).toBe(deployed(stack.data.shareFailureQueue).MessageRetentionPeriod);
    for (const [local, queue] of [
      [acceptWake, stack.data.acceptWakeQueue],
      [shareWake, stack.data.shareWakeQueue],
    ] as const) {
      const wake = deployed(queue);
      expect(Number(local.VisibilityTimeout)).toBe(wake.VisibilityTimeout);
      expect(Number(local.MessageRetentionPeriod)).toBe(wake.MessageRetentionPeriod);
      expect(Number(JSON.parse(local.RedrivePolicy!).maxReceiveCount)).toBe(wake.RedrivePolicy.maxReceiveCount);
      expect(JSON.parse(local.RedrivePolicy!).deadLetterTargetArn).toBe(wakeDlq.QueueArn);
    }
    expect(Number(wakeDlq.MessageRetentionPeriod)).toBe(deployed(stack.data.wakeDlq).MessageRetentionPeriod);
  });

  test('table keys, indexes and stream, as DynamoDB Local reports them', async () => {
    const db = new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb, region: runtime.endpoints.region, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const { Table } = await db.send(new DescribeTableCommand({ TableName: runtime.endpoints.tableName }));
    db.destroy();
    const deployed = resourceOf(template, stack.data.table).Properties;

    expect(Table?.KeySchema).toEqual(deployed.KeySchema);
    expect(sortBy(Table?.AttributeDefinitions ?? [], 'AttributeName')).toEqual(sortBy(deployed.AttributeDefinitions, 'AttributeName'));
    const indexes = (list: { IndexName?: string; KeySchema?: unknown; Projection?: { ProjectionType?: string } }[]) =>
      sortBy(list.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, ProjectionType: i.Projection?.ProjectionType })), 'IndexName');
    expect(indexes(Table?.GlobalSecondaryIndexes ?? [])).toEqual(indexes(deployed.GlobalSecondaryIndexes));
    expect(Table?.StreamSpecification?.StreamViewType).toBe(deployed.StreamSpecification.StreamViewType);
  });

  test.each([
    ['create queue → create-solution', 'createSolution', 'createQueue', (w: LocalWiring) => w.createEventSource],
    ['accept wake queue → accept-solution', 'acceptSolution', 'acceptWakeQueue', (w: LocalWiring) => w.wakeEventSources.acceptSolution],
    ['share wake queue → share-credit', 'shareCredit', 'shareWakeQueue', (w: LocalWiring) => w.wakeEventSources.shareCredit],
  ] as const)('SQS event source %s', (_label, name, queue, source) => {
    const deployed = mappings().find((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify(arn(stack.data[queue])))!;
    expect(deployed.FunctionName).toEqual(ref(stack.pipeline.functions[name]));
    const local = source(wiring);
    expect({
      BatchSize: local.batchSize,
      MaximumBatchingWindowInSeconds: local.maxBatchingWindowSeconds,
      MaximumConcurrency: local.maxConcurrency,
      ReportBatchItemFailures: local.reportBatchItemFailures,
    }).toEqual({
      BatchSize: deployed.BatchSize,
      MaximumBatchingWindowInSeconds: deployed.MaximumBatchingWindowInSeconds ?? 0,
      MaximumConcurrency: deployed.ScalingConfig.MaximumConcurrency,
      ReportBatchItemFailures: (deployed.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    });
  });

  test.each([
    ['accept-solution', 'acceptSolution', 'acceptEventSource'],
    ['share-credit', 'shareCredit', 'shareEventSource'],
  ] as const)('stream event source of %s', (_label, name, source) => {
    // The worker's stream mapping (its wake queue's is compared above).
    const deployed = mappings().find((m) => m.StartingPosition && JSON.stringify(m.FunctionName) === JSON.stringify(ref(stack.pipeline.functions[name])))!;
    const local = wiring[source];
    expect({
      BatchSize: local.batchSize,
      StartingPosition: local.startingPosition,
      BisectBatchOnFunctionError: local.bisectBatchOnError,
      ParallelizationFactor: local.parallelizationFactor,
      MaximumRetryAttempts: local.retryAttempts,
      MaximumRecordAgeInSeconds: local.maxRecordAgeSeconds,
      ReportBatchItemFailures: local.reportBatchItemFailures,
      FilterPattern: local.filterPattern,
    }).toEqual({
      BatchSize: deployed.BatchSize,
      StartingPosition: deployed.StartingPosition,
      BisectBatchOnFunctionError: deployed.BisectBatchOnFunctionError,
      ParallelizationFactor: deployed.ParallelizationFactor,
      MaximumRetryAttempts: deployed.MaximumRetryAttempts,
      MaximumRecordAgeInSeconds: deployed.MaximumRecordAgeInSeconds,
      ReportBatchItemFailures: (deployed.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      FilterPattern: JSON.parse(deployed.FilterCriteria.Filters[0].Pattern),
    });
    expect(deployed.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  test('the client discovery runs as often as its schedule (TIME_SCALE 1: once a day)', () => {
    expect(resourceOf(template, stack.pipeline.discoverySchedule).Properties.ScheduleExpression).toBe(`rate(${wiring.discoveryIntervalHours / 24} day)`);
  });
});

function sortBy<T>(list: T[], key: keyof T): T[] {
  return [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
