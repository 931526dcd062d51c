import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineFunction, type PipelineFunctionName } from '../../../lib/constructs/pipeline-function';
import { messagesTo } from '../../../lib/constructs/resource-bindings';
import { functionEnvironments, type PipelineResources } from '../../../lib/function-environment';
import { SCHEDULE } from '../../../lambdas/schedule';
import {
  ACCEPT_EVENT_SOURCE,
  ACCEPT_FILTER_PATTERN,
  CLIENT_DISCOVERY,
  CREATE_EVENT_SOURCE,
  FUNCTIONS,
  LOG_RETENTION_DAYS,
  RECONCILER,
  SHARE_EVENT_SOURCE,
  SHARE_FILTER_PATTERN,
  WAKE_EVENT_SOURCES,
} from '../../../lib/pipeline-settings';
import { arn, cdkJsonContext, FULL_CONTEXT, logicalId, ref, resourceOf, synthApp, TEST_PARTNER_APP_ID } from '../app-under-test';

const NAMES = Object.keys(FUNCTIONS) as PipelineFunctionName[];
const { stack, template } = synthApp(FULL_CONTEXT);
const { data, pipeline } = stack;

describe('pipeline: the house function', () => {
  it.each(NAMES)('%s: Node.js 22 on arm64, tuning from FUNCTIONS, traced, its own log group with a retention', (name) => {
    const fn = resourceOf(template, pipeline.functions[name]);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: FUNCTIONS[name].timeoutSeconds,
      MemorySize: FUNCTIONS[name].memoryMiB,
      TracingConfig: { Mode: 'Active' },
    });
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: LOG_RETENTION_DAYS } });
  });

  it("each environment is functionEnvironments() with the stack's table, queue and secret ARNs", () => {
    const sentinels: PipelineResources = {
      tableName: '<table>',
      createQueueUrl: '<queue>',
      acceptWakeQueueUrl: '<accept-wake>',
      shareWakeQueueUrl: '<share-wake>',
      appSecretId: '<app>', systemUserTokenSecretId: '<sut>', webhookVerifyTokenSecretId: '<vt>' };
    const resolved: Record<string, unknown> = {
      '<table>': ref(data.table),
      '<queue>': ref(data.createQueue),
      '<accept-wake>': ref(data.acceptWakeQueue),
      '<share-wake>': ref(data.shareWakeQueue),
      '<app>': ref(data.appSecret), // a secret's Ref is its ARN
      '<sut>': ref(data.systemUserToken),
      '<vt>': ref(data.webhookVerifyToken),
    };
    const { partnerName, graphApiVersion } = FULL_CONTEXT;
    const { businessId, systemUserId, creditLineId, creditCurrency } = cdkJsonContext as Record<string, string>;
    const partner = { partnerAppId: TEST_PARTNER_APP_ID, partnerName, graphApiVersion, businessId: businessId!, systemUserId: systemUserId!, creditLineId, creditCurrency };
    const expected = functionEnvironments(partner, sentinels);
    for (const name of NAMES) {
      const variables = Object.fromEntries(Object.entries(expected[name]).map(([k, v]) => [k, resolved[v] ?? v]));
      expect(resourceOf(template, pipeline.functions[name]).Properties.Environment.Variables).toEqual({ ...variables, NODE_OPTIONS: '--enable-source-maps' });
    }
    expect(resourceOf(template, pipeline.functions.createSolution).Properties.Environment.Variables.CREATE_QUEUE_URL).toEqual(ref(data.createQueue));
  });
});

describe('pipeline: the clients’ functions (docs/design.md §7)', () => {
  const variables = (name: PipelineFunctionName, synthesized = synthApp(FULL_CONTEXT)) =>
    resourceOf(synthesized.template, synthesized.stack.pipeline.functions[name]).Properties.Environment.Variables as Record<string, unknown>;
  const { businessId, systemUserId, creditLineId, creditCurrency } = cdkJsonContext as Record<string, string>;

  it('share-credit: who we are, our credit line and currency, its lease and retry period, its Graph timeout', () => {
    expect(variables('shareCredit')).toMatchObject({
      BUSINESS_ID: businessId,
      SYSTEM_USER_ID: systemUserId,
      CREDIT_LINE_ID: creditLineId,
      CREDIT_CURRENCY: creditCurrency,
      SYSTEM_USER_TOKEN_SECRET_ID: ref(data.systemUserToken),
      SHARE_LEASE_SECONDS: String(SCHEDULE.shareLeaseSeconds),
      SHARE_RETRY_PERIOD_SECONDS: String(SCHEDULE.acceptRetry.periodHours * 3600),
      GRAPH_TIMEOUT_MS: String(SCHEDULE.graphTimeoutMs.shareCredit),
    });
    // The lease covers the whole run of the worker it fences.
    expect(SCHEDULE.shareLeaseSeconds).toBeGreaterThanOrEqual(FUNCTIONS.shareCredit.timeoutSeconds);
  });

  it('discover-clients: who we are, the weekly limit, how many WABAs a pass reads, its Graph timeout; no credit line', () => {
    expect(variables('discoverClients')).toMatchObject({
      BUSINESS_ID: businessId,
      SYSTEM_USER_ID: systemUserId,
      WEEKLY_CLIENT_LIMIT: String(SCHEDULE.clients.weeklyLimit),
      DISCOVERY_MAX_WABAS: String(SCHEDULE.clients.maxWabasPerPass),
      GRAPH_TIMEOUT_MS: String(SCHEDULE.graphTimeoutMs.discoverClients),
    });
    expect(variables('discoverClients')).not.toHaveProperty('CREDIT_LINE_ID');
  });

  it('the webhook counts against the weekly limit; the reconciler hands on NEW clients the stream missed', () => {
    expect(variables('webhook')).toMatchObject({ WEEKLY_CLIENT_LIMIT: String(SCHEDULE.clients.weeklyLimit) });
    expect(variables('reconcile')).toMatchObject({ SHARE_HANDOFF_SECONDS: String(SCHEDULE.clients.shareHandoffSeconds) });
    const limited = synthApp({ weeklyClientLimit: '10' });
    for (const name of ['webhook', 'discoverClients'] as const) expect(variables(name, limited)).toMatchObject({ WEEKLY_CLIENT_LIMIT: '10' });
  });

  it('without a credit line, sharing is off: no CREDIT_LINE_ID', () => {
    expect(variables('shareCredit', synthApp({ creditLineId: '' }))).not.toHaveProperty('CREDIT_LINE_ID');
  });
});

describe('pipeline: least privilege', () => {
  const functions = pipeline.functions;

  /** A statement's resource by logical ID (`Id` for Ref and Arn, `Id.Attr` otherwise), or `*`. */
  function resourceName(resource: unknown): string {
    if (resource === '*') return '*';
    const { Ref, 'Fn::GetAtt': getAtt, 'Fn::Join': join } = resource as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (Ref) return Ref;
    if (getAtt) return getAtt[1] === 'Arn' ? getAtt[0] : getAtt.join('.');
    // An ARN built from another's, such as an index's: `Table/index/byStatus`.
    if (join) return join[1].map((part) => (typeof part === 'string' ? part : resourceName(part))).join(join[0]);
    throw new Error(`unexpected resource ${JSON.stringify(resource)}`);
  }

  /** Everything a function's role allows: resource → actions, from every policy attached to the role. */
  function permissionsOf(name: PipelineFunctionName): Record<string, string[]> {
    const roleId = logicalId(functions[name].role!);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
    const granted: Record<string, Set<string>> = {};
    for (const policy of Object.values(policies)) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement).toMatchObject({ Effect: 'Allow' });
        expect(statement.Condition).toBeUndefined();
        for (const resource of [statement.Resource].flat()) {
          for (const action of [statement.Action].flat()) (granted[resourceName(resource)] ??= new Set()).add(action);
        }
      }
    }
    return Object.fromEntries(Object.entries(granted).map(([resource, actions]) => [resource, [...actions].sort()]));
  }
  const logGroupOf = (name: PipelineFunctionName) => resourceOf(template, functions[name]).Properties.LoggingConfig.LogGroup.Ref as string;
  const writesOwnLogs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const traces = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

  it('intake: reads and writes items, sends create messages, reads the app secret; nothing else', () => {
    expect(permissionsOf('intake')).toEqual({
      [logGroupOf('intake')]: writesOwnLogs,
      '*': traces,
      // A transaction of conditional Puts needs PutItem per item, not ConditionCheckItem.
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [logicalId(data.createQueue)]: ['sqs:SendMessage'],
      [logicalId(data.appSecret)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('create-solution: claims and records solutions, asks the bySolutionId index whether a solution is ours, consumes its queue, may delay a message (ChangeMessageVisibility) or put it back (SendMessage); checks the tokens intake deferred (an onboarding read, the app secret)', () => {
    expect(permissionsOf('createSolution')).toEqual({
      [logGroupOf('createSolution')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [logicalId(data.appSecret)]: ['secretsmanager:GetSecretValue'],
      [`${logicalId(data.table)}/index/bySolutionId`]: ['dynamodb:Query'],
      [logicalId(data.createQueue)]: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ],
    });
  });

  it.each([
    ['accept-solution', 'acceptSolution', data.acceptFailureQueue, data.acceptWakeQueue],
    ['share-credit', 'shareCredit', data.shareFailureQueue, data.shareWakeQueue],
  ] as const)('%s: reads the stream, reads and moves its items on, reads the system-user token, reports to its own on-failure queue, consumes and sends its own wake-ups; nothing else', (_label, name, onFailure, wakeQueue) => {
    expect(permissionsOf(name)).toEqual({
      [logGroupOf(name)]: writesOwnLogs,
      // ListStreams, like X-Ray's actions, has no resource-level permissions.
      '*': ['dynamodb:ListStreams', ...traces],
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}.StreamArn`]: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      [logicalId(data.systemUserToken)]: ['secretsmanager:GetSecretValue'],
      [logicalId(onFailure)]: ['sqs:SendMessage'],
      [logicalId(wakeQueue)]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
    });
  });

  it('reconcile: queries the byStatus index alone, reads and moves items on, reads the create queue’s counts and the system-user token, wakes the accept retries it schedules', () => {
    expect(permissionsOf('reconcile')).toEqual({
      [logGroupOf('reconcile')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}/index/byStatus`]: ['dynamodb:Query'],
      [logicalId(data.createQueue)]: ['sqs:GetQueueAttributes'],
      [logicalId(data.acceptWakeQueue)]: ['sqs:SendMessage'],
      [logicalId(data.systemUserToken)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('webhook: queries the bySolutionId index alone, reads, records (clients) and moves items on, reads the app secret and the verify token; nothing else', () => {
    expect(permissionsOf('webhook')).toEqual({
      [logGroupOf('webhook')]: writesOwnLogs,
      '*': traces,
      // A new client is a transaction of Puts (the client, its WABA's link) and an Update (the weekly count).
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}/index/bySolutionId`]: ['dynamodb:Query'],
      [logicalId(data.appSecret)]: ['secretsmanager:GetSecretValue'],
      [logicalId(data.webhookVerifyToken)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('discover-clients: reads and records clients, asks the bySolutionId index alone whether a solution is ours, reads the system-user token; no stream, no queue', () => {
    expect(permissionsOf('discoverClients')).toEqual({
      [logGroupOf('discoverClients')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}/index/bySolutionId`]: ['dynamodb:Query'],
      [logicalId(data.systemUserToken)]: ['secretsmanager:GetSecretValue'],
    });
  });

  /** A schedule's target is its function, invoked by a role that may invoke that function alone. */
  function expectScheduleOf(schedule: Parameters<typeof resourceOf>[1], fn: PipelineFunctionName, expected: { expression: string; retries: number; maxEventAgeSeconds: number }) {
    const { Properties } = resourceOf(template, schedule);
    expect(Properties).toMatchObject({
      ScheduleExpression: expected.expression,
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [logicalId(functions[fn]), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: expected.retries, MaximumEventAgeInSeconds: expected.maxEventAgeSeconds } },
    });
    const roleId = Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' } },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(functions[fn]), 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: ref(functions[fn]), MaximumRetryAttempts: expected.retries, MaximumEventAgeInSeconds: expected.maxEventAgeSeconds });
  }

  it('EventBridge Scheduler runs the reconciler every minute, with a role that may invoke that function alone', () => {
    // Nor does Lambda retry a failed pass (its default for asynchronous invocations is twice): the next comes in a minute.
    expectScheduleOf(pipeline.schedule, 'reconcile', { expression: `rate(${RECONCILER.intervalSeconds / 60} minute)`, retries: 0, maxEventAgeSeconds: RECONCILER.intervalSeconds });
  });

  it('EventBridge Scheduler runs the client discovery once a day, with a role that may invoke that function alone; a failed pass is retried within the hour', () => {
    // The schedule's 24 hours, as EventBridge Scheduler writes them.
    expect(CLIENT_DISCOVERY.intervalHours).toBe(SCHEDULE.clients.discoveryIntervalHours);
    expect(SCHEDULE.clients.discoveryIntervalHours).toBe(24);
    expectScheduleOf(pipeline.discoverySchedule, 'discoverClients', { expression: 'rate(1 day)', retries: 2, maxEventAgeSeconds: 3600 });
    expect(Object.keys(template.findResources('AWS::Scheduler::Schedule'))).toHaveLength(2);
  });

  it.each(NAMES)('%s: its own role, trusted by Lambda only, with no managed or inline policy', (name) => {
    const role = resourceOf(template, functions[name].role!);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const users = template.findResources('AWS::Lambda::Function', { Properties: { Role: arn(functions[name].role!) } });
    expect(Object.keys(users)).toEqual([logicalId(functions[name])]);
  });
});

describe('pipeline: event sources', () => {
  it('create queue → create-solution: partial batch failures, batch size and concurrency capped for Graph', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arn(data.createQueue),
      FunctionName: ref(pipeline.functions.createSolution),
      BatchSize: CREATE_EVENT_SOURCE.batchSize,
      MaximumBatchingWindowInSeconds: CREATE_EVENT_SOURCE.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: CREATE_EVENT_SOURCE.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('table stream → accept-solution: filtered on the new image becoming CREATED, bisect, bounded retries and age, on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(data.table), 'StreamArn'] },
      FunctionName: ref(pipeline.functions.acceptSolution),
      StartingPosition: ACCEPT_EVENT_SOURCE.startingPosition,
      BatchSize: ACCEPT_EVENT_SOURCE.batchSize,
      ParallelizationFactor: ACCEPT_EVENT_SOURCE.parallelizationFactor,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: ACCEPT_EVENT_SOURCE.retryAttempts,
      MaximumRecordAgeInSeconds: ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(data.acceptFailureQueue) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(ACCEPT_FILTER_PATTERN) }] },
    });
    expect(ACCEPT_FILTER_PATTERN.dynamodb.NewImage.status).toEqual({ S: ['CREATED'] });
    expect(ACCEPT_EVENT_SOURCE.retryAttempts).toBeLessThan(10);
    expect(ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds).toBeLessThanOrEqual(24 * 3600);
  });

  it('table stream → share-credit: client items recorded or written again as NEW (INSERT and MODIFY, whatever the old image), bisect, bounded retries and age, its own on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(data.table), 'StreamArn'] },
      FunctionName: ref(pipeline.functions.shareCredit),
      StartingPosition: SHARE_EVENT_SOURCE.startingPosition,
      BatchSize: SHARE_EVENT_SOURCE.batchSize,
      ParallelizationFactor: SHARE_EVENT_SOURCE.parallelizationFactor,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: SHARE_EVENT_SOURCE.retryAttempts,
      MaximumRecordAgeInSeconds: SHARE_EVENT_SOURCE.maxRecordAgeSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(data.shareFailureQueue) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(SHARE_FILTER_PATTERN) }] },
    });
    // NEW is where claimShare starts (the clients' transition table); nothing is said of the old image.
    expect(JSON.parse(JSON.stringify(SHARE_FILTER_PATTERN))).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { NewImage: { entity: { S: ['client'] }, status: { S: ['NEW'] } } },
    });
    // The accept worker sees no client item, the share worker no solution item.
    expect(ACCEPT_FILTER_PATTERN.dynamodb.NewImage.entity.S).toEqual(['solution']);
  });

  it.each([
    ['accept', 'acceptSolution', data.acceptWakeQueue],
    ['share', 'shareCredit', data.shareWakeQueue],
  ] as const)('%s wake queue → its stream worker: partial batch failures, no batching wait, no filter (the queue is the worker’s own)', (_label, name, queue) => {
    const settings = WAKE_EVENT_SOURCES[name];
    const [mapping, ...others] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { EventSourceArn: arn(queue) } }));
    expect(others).toEqual([]);
    expect(mapping!.Properties).toEqual({
      EventSourceArn: arn(queue),
      FunctionName: ref(pipeline.functions[name]),
      BatchSize: settings.batchSize,
      MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: settings.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('there are exactly these five mappings', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 5);
  });
});

describe('PipelineFunction.bind: grant and variable go together', () => {
  /** A bare stack with one house function whose environment names a queue. */
  function functionNamingAQueue() {
    const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Bind');
    const queue = new sqs.Queue(stack, 'Queue');
    const fn = new PipelineFunction(stack, 'Intake', { name: 'intake', environment: { CREATE_QUEUE_URL: queue.queueUrl } });
    return { app, stack, queue, fn };
  }

  it('synth fails while a variable names a resource that was never bound', () => {
    const { app } = functionNamingAQueue();
    expect(() => app.synth()).toThrow(/CREATE_QUEUE_URL names a resource that the function was never granted/);
  });

  it('refuses to grant a resource that no variable names', () => {
    const { stack, fn } = functionNamingAQueue();
    expect(() => fn.bind(messagesTo(new sqs.Queue(stack, 'Other')))).toThrow(/no environment variable names the resource/);
  });

  it('binding the named resource grants it and satisfies the check', () => {
    const { app, queue, fn } = functionNamingAQueue();
    fn.bind(messagesTo(queue));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('PipelineFunction bundling (real esbuild, one function)', () => {
  const app = new App({ context: cdkJsonContext });
  const stack = new Stack(app, 'Bundling');
  const fn = new PipelineFunction(stack, 'Intake', { name: 'intake', environment: {} });
  const assembly = app.synth();
  const code = assembly.getStackByName('Bundling').template.Resources[logicalId(fn.function)].Properties.Code;
  const dir = join(assembly.directory, `asset.${(code.S3Key as string).replace(/\.zip$/, '')}`);
  const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');

  it('is one minified ES module with a source map', () => {
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(bundle).toMatch(/export\s*\{[^}]*\bas handler\b/);
    // Minified: a few very long lines (unminified code averages some 40 characters a line).
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
    expect(bundle.trimEnd()).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map$/);
  });

  it('bundles the AWS SDK v3 (pinned versions) instead of taking the runtime\'s', () => {
    expect(bundle).toContain('DynamoDB_20120810');
    expect(bundle).not.toMatch(/from\s*"@aws-sdk\//);
  });
});
