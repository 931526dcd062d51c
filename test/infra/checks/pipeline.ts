import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineFunction, type PipelineFunctionName } from '../../../lib/constructs/pipeline-function';
import { messagesTo } from '../../../lib/constructs/resource-bindings';
import { functionEnvironments, type PipelineResources } from '../../../lib/function-environment';
import { ACCEPT_EVENT_SOURCE, ACCEPT_FILTER_PATTERN, CREATE_EVENT_SOURCE, FUNCTIONS, LOG_RETENTION_DAYS, RECONCILER } from '../../../lib/pipeline-settings';
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
    const sentinels: PipelineResources = { tableName: '<table>', createQueueUrl: '<queue>', appSecretId: '<app>', systemUserTokenSecretId: '<sut>', webhookVerifyTokenSecretId: '<vt>' };
    const resolved: Record<string, unknown> = {
      '<table>': ref(data.table),
      '<queue>': ref(data.createQueue),
      '<app>': ref(data.appSecret), // a secret's Ref is its ARN
      '<sut>': ref(data.systemUserToken),
      '<vt>': ref(data.webhookVerifyToken),
    };
    const { partnerName, graphApiVersion } = FULL_CONTEXT;
    const expected = functionEnvironments({ partnerAppId: TEST_PARTNER_APP_ID, partnerName, graphApiVersion }, sentinels);
    for (const name of NAMES) {
      const variables = Object.fromEntries(Object.entries(expected[name]).map(([k, v]) => [k, resolved[v] ?? v]));
      expect(resourceOf(template, pipeline.functions[name]).Properties.Environment.Variables).toEqual({ ...variables, NODE_OPTIONS: '--enable-source-maps' });
    }
    expect(resourceOf(template, pipeline.functions.createSolution).Properties.Environment.Variables.CREATE_QUEUE_URL).toEqual(ref(data.createQueue));
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

  it('create-solution: claims and records solutions, asks the bySolutionId index whether a solution is ours, consumes its queue, may delay a message (ChangeMessageVisibility) or put it back (SendMessage)', () => {
    expect(permissionsOf('createSolution')).toEqual({
      [logGroupOf('createSolution')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
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

  it('accept-solution: reads the stream, records the outcome, reads the system-user token, reports to its on-failure queue', () => {
    expect(permissionsOf('acceptSolution')).toEqual({
      [logGroupOf('acceptSolution')]: writesOwnLogs,
      // ListStreams, like X-Ray's actions, has no resource-level permissions.
      '*': ['dynamodb:ListStreams', ...traces],
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}.StreamArn`]: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      [logicalId(data.systemUserToken)]: ['secretsmanager:GetSecretValue'],
      [logicalId(data.acceptFailureQueue)]: ['sqs:SendMessage'],
    });
  });

  it('reconcile: queries the byStatus index alone, reads and moves items on, reads the create queue’s counts and the system-user token', () => {
    expect(permissionsOf('reconcile')).toEqual({
      [logGroupOf('reconcile')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}/index/byStatus`]: ['dynamodb:Query'],
      [logicalId(data.createQueue)]: ['sqs:GetQueueAttributes'],
      [logicalId(data.systemUserToken)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('webhook: queries the bySolutionId index alone, reads and moves items on, reads the app secret and the verify token; nothing else', () => {
    expect(permissionsOf('webhook')).toEqual({
      [logGroupOf('webhook')]: writesOwnLogs,
      '*': traces,
      [logicalId(data.table)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [`${logicalId(data.table)}/index/bySolutionId`]: ['dynamodb:Query'],
      [logicalId(data.appSecret)]: ['secretsmanager:GetSecretValue'],
      [logicalId(data.webhookVerifyToken)]: ['secretsmanager:GetSecretValue'],
    });
  });

  it('EventBridge Scheduler runs the reconciler every minute, with a role that may invoke that function alone', () => {
    const schedule = resourceOf(template, pipeline.schedule);
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: `rate(${RECONCILER.intervalSeconds / 60} minute)`,
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': [logicalId(functions.reconcile), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' } },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(functions.reconcile), 'Arn'] } },
    ]);
    // Nor does Lambda retry a failed pass (its default for asynchronous invocations is twice).
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: ref(functions.reconcile), MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: RECONCILER.intervalSeconds });
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

  it('there are exactly these two mappings', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
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
