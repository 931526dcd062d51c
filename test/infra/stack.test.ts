import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';
import { functionEnvironments, type PipelineResources } from '../../lib/function-environment';
import { MpsOnboardingStack } from '../../lib/mps-onboarding-stack';
import { ContextError, readDeploymentSettings } from '../../lib/partner-context';
import {
  ACCEPT_EVENT_SOURCE,
  ACCEPT_FILTER_PATTERN,
  CREATE_EVENT_SOURCE,
  CREATE_QUEUE,
  FUNCTIONS,
  SECRET_NAMES,
} from '../../lib/pipeline-settings';

/** cdk.json's context (sample app ID, feature flags), as `cdk synth` sees it. */
const cdkJsonContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

/** Builds the stack as bin/app.ts does; an empty bundling-stacks list skips esbuild (fast, no assets). */
function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...cdkJsonContext, ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new MpsOnboardingStack(app, 'Test', readDeploymentSettings(app.node));
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const arn = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

describe('MpsOnboardingStack', () => {
  const { stack, template } = synth({ partnerName: 'Acme', alarmEmail: 'ops@example.com' });
  const { data, functions } = stack;

  /** Every IAM statement attached to a function's execution role. */
  function statementsOf(name: keyof typeof FUNCTIONS): unknown[] {
    const roleId = logicalId(functions[name].role!);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
    return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as unknown[]);
  }
  const mentions = (statements: unknown[], construct: IConstruct) => JSON.stringify(statements).includes(`"${logicalId(construct)}"`);

  describe('table', () => {
    it('is built from TABLE_LAYOUT: keys, string attributes, the three GSIs projecting ALL', () => {
      const indexes = Object.entries(TABLE_LAYOUT.indexes).map(([indexName, index]) => ({
        IndexName: indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          ...('sortKey' in index ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      }));
      const attributes = new Set<string>([TABLE_LAYOUT.partitionKey, TABLE_LAYOUT.sortKey]);
      for (const index of Object.values(TABLE_LAYOUT.indexes)) {
        attributes.add(index.partitionKey);
        if ('sortKey' in index) attributes.add(index.sortKey);
      }
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals([...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
        GlobalSecondaryIndexes: Match.arrayEquals(indexes),
      });
      expect(indexes.map((i) => i.IndexName)).toEqual(['byStatus', 'byAppId', 'bySolutionId']);
    });

    it('is on-demand, point-in-time recoverable, encrypted, streams both images, protected and retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          DeletionProtectionEnabled: true,
        },
      });
    });
  });

  describe('queues', () => {
    it('create queue: visibility, retention and redrive from CREATE_QUEUE', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: CREATE_QUEUE.visibilityTimeoutSeconds,
        MessageRetentionPeriod: CREATE_QUEUE.retentionSeconds,
        RedrivePolicy: { deadLetterTargetArn: arn(data.createDlq), maxReceiveCount: CREATE_QUEUE.maxReceiveCount },
      });
      expect(template.toJSON().Resources[logicalId(data.createQueue)].Properties.VisibilityTimeout).toBe(CREATE_QUEUE.visibilityTimeoutSeconds);
    });

    it('DLQ keeps CREATE_QUEUE.dlqRetentionSeconds; accept on-failure queue keeps 14 days', () => {
      const resources = template.toJSON().Resources;
      expect(resources[logicalId(data.createDlq)].Properties.MessageRetentionPeriod).toBe(CREATE_QUEUE.dlqRetentionSeconds);
      expect(resources[logicalId(data.acceptFailureQueue)].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it('every queue is SSE-encrypted (SQS managed) and refuses non-TLS access', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues)).toHaveLength(3);
      for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      for (const queue of [data.createQueue, data.createDlq, data.acceptFailureQueue]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [ref(queue)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });
  });

  describe('secrets', () => {
    it('two secrets named from SECRET_NAMES, with a generated placeholder and no value in the template', () => {
      const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
      expect(secrets.map((s) => s.Properties.Name).sort()).toEqual([SECRET_NAMES.appSecret, SECRET_NAMES.systemUserToken].sort());
      for (const secret of secrets) {
        expect(secret.Properties.SecretString).toBeUndefined();
        expect(secret.Properties.GenerateSecretString).toBeDefined();
      }
    });

    it('the app secret is readable by intake only, the system-user token by accept-solution only', () => {
      expect(mentions(statementsOf('intake'), data.appSecret)).toBe(true);
      expect(mentions(statementsOf('intake'), data.systemUserToken)).toBe(false);
      expect(mentions(statementsOf('acceptSolution'), data.systemUserToken)).toBe(true);
      expect(mentions(statementsOf('acceptSolution'), data.appSecret)).toBe(false);
      expect(mentions(statementsOf('createSolution'), data.appSecret)).toBe(false);
      expect(mentions(statementsOf('createSolution'), data.systemUserToken)).toBe(false);
      // …and no other policy in the stack grants either secret.
      const allPolicies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
      for (const secret of [data.appSecret, data.systemUserToken]) {
        expect(allPolicies.split(`"${logicalId(secret)}"`).length - 1).toBe(1);
      }
    });

    it('intake may send to the create queue; the workers may write the table', () => {
      const sends = (statements: unknown[]) =>
        statements.some((s) => JSON.stringify(s).includes('sqs:SendMessage') && mentions([s], data.createQueue));
      expect(sends(statementsOf('intake'))).toBe(true);
      expect(sends(statementsOf('createSolution'))).toBe(false);
      for (const name of ['intake', 'createSolution', 'acceptSolution'] as const) {
        const writesTable = statementsOf(name).some((s) => JSON.stringify(s).includes('dynamodb:UpdateItem') && mentions([s], data.table));
        expect(writesTable).toBe(true);
      }
    });
  });

  describe('functions', () => {
    it.each(Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[])('%s: Node.js 22 on arm64, tuning from FUNCTIONS, traced, own log group', (name) => {
      const id = logicalId(functions[name]);
      const fn = template.toJSON().Resources[id];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: FUNCTIONS[name].timeoutSeconds,
        MemorySize: FUNCTIONS[name].memoryMiB,
        TracingConfig: { Mode: 'Active' },
      });
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
    });

    it('each environment is functionEnvironments() with the stack\'s table, queue and secret ARNs', () => {
      const sentinels: PipelineResources = { tableName: '<table>', createQueueUrl: '<queue>', appSecretId: '<app>', systemUserTokenSecretId: '<sut>' };
      const resolved: Record<string, unknown> = {
        '<table>': ref(data.table),
        '<queue>': ref(data.createQueue),
        '<app>': ref(data.appSecret), // a secret's Ref is its ARN
        '<sut>': ref(data.systemUserToken),
      };
      const expected = functionEnvironments({ partnerAppId: cdkJsonContext.partnerAppId as string, partnerName: 'Acme' }, sentinels);
      for (const name of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
        const variables = Object.fromEntries(Object.entries(expected[name]).map(([k, v]) => [k, resolved[v] ?? v]));
        const fn = template.toJSON().Resources[logicalId(functions[name])];
        expect(fn.Properties.Environment.Variables).toEqual({ ...variables, NODE_OPTIONS: '--enable-source-maps' });
      }
      expect(template.toJSON().Resources[logicalId(functions.intake)].Properties.Environment.Variables).toMatchObject({
        TABLE_NAME: ref(data.table),
        PARTNER_APP_ID: '1000000000000001',
        PARTNER_NAME: 'Acme',
        APP_SECRET_ID: ref(data.appSecret),
        CREATE_QUEUE_URL: ref(data.createQueue),
      });
    });
  });

  describe('event sources', () => {
    it('create queue → create-solution with CREATE_EVENT_SOURCE', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arn(data.createQueue),
        FunctionName: ref(functions.createSolution),
        BatchSize: CREATE_EVENT_SOURCE.batchSize,
        MaximumBatchingWindowInSeconds: CREATE_EVENT_SOURCE.maxBatchingWindowSeconds,
        ScalingConfig: { MaximumConcurrency: CREATE_EVENT_SOURCE.maxConcurrency },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(CREATE_EVENT_SOURCE.reportBatchItemFailures).toBe(true);
    });

    it('table stream → accept-solution, filtered on the transition into CREATED, with ACCEPT_EVENT_SOURCE', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId(data.table), 'StreamArn'] },
        FunctionName: ref(functions.acceptSolution),
        StartingPosition: ACCEPT_EVENT_SOURCE.startingPosition,
        BatchSize: ACCEPT_EVENT_SOURCE.batchSize,
        BisectBatchOnFunctionError: ACCEPT_EVENT_SOURCE.bisectBatchOnError,
        MaximumRetryAttempts: ACCEPT_EVENT_SOURCE.retryAttempts,
        MaximumRecordAgeInSeconds: ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: arn(data.acceptFailureQueue) } },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(ACCEPT_FILTER_PATTERN) }] },
      });
      expect(ACCEPT_EVENT_SOURCE.reportBatchItemFailures).toBe(true);
    });

    it('there are exactly these two mappings', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    });
  });

  describe('HTTP API', () => {
    it('routes POST /api/onboardings and GET /api/onboardings/{onboardingId} to intake, payload 2.0', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['GET /api/onboardings/{onboardingId}', 'POST /api/onboardings']);
      const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
      for (const route of routes) {
        const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
        expect(integrations[integrationId]?.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: arn(functions.intake),
          PayloadFormatVersion: '2.0',
        });
      }
    });
  });

  describe('monitoring', () => {
    const topic = () => ref(stack.monitoring.topic);

    it('alarms on any SolutionAcceptFailed metric in 5 minutes, notifying the SNS topic', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'MpsOnboarding',
        MetricName: 'SolutionAcceptFailed',
        Dimensions: [{ Name: 'service', Value: 'mps-onboarding' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic()],
      });
    });

    it.each([
      ['create DLQ', () => data.createDlq],
      ['accept on-failure queue', () => data.acceptFailureQueue],
    ])('alarms when the %s holds a message', (_label, queue) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue()), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topic()],
      });
    });

    it('the topic refuses non-TLS publishing and mails alarmEmail', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topic()],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic() });
    });

    it('without alarmEmail there is no subscription', () => {
      synth().template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  it('outputs what ops and the CLI need', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'TableName',
        'CreateQueueUrl',
        'CreateDlqUrl',
        'AcceptFailureQueueUrl',
        'SystemUserTokenSecretArn',
        'AppSecretArn',
        'AlarmTopicArn',
      ]),
    );
    template.hasOutput('AppSecretArn', { Value: ref(data.appSecret) });
    template.hasOutput('SystemUserTokenSecretArn', { Value: ref(data.systemUserToken) });
  });
});

describe('deployment settings from CDK context', () => {
  const settings = (context: Record<string, unknown>) => readDeploymentSettings(new App({ context }).node);

  it('requires partnerAppId, with a message that says how to give it', () => {
    expect(() => settings({})).toThrow(ContextError);
    expect(() => settings({})).toThrow(/"partnerAppId" is required.*-c partnerAppId=/);
  });

  it('rejects a non-numeric app ID and a JSON number (which loses digits)', () => {
    expect(() => settings({ partnerAppId: 'abc' })).toThrow(/numeric app ID/);
    expect(() => settings({ partnerAppId: 1000000000000001 })).toThrow(/written as a string/);
  });

  it('fails synth on values the functions would reject at cold start', () => {
    expect(() => settings({ partnerAppId: '1', graphApiVersion: '25' })).toThrow(/GRAPH_API_VERSION/);
    expect(() => settings({ partnerAppId: '1', ownerPermissions: 'MESSAGING' })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
    expect(() => settings({ partnerAppId: '1', alarmEmail: 'nobody' })).toThrow(/alarmEmail/);
  });

  it('passes the optional settings through', () => {
    expect(
      settings({ partnerAppId: '42', partnerName: 'Acme', graphApiVersion: 'v25.0', partnerPermissions: 'MESSAGING', alarmEmail: 'a@b.c' }),
    ).toEqual({ partner: { partnerAppId: '42', partnerName: 'Acme', graphApiVersion: 'v25.0', partnerPermissions: 'MESSAGING' }, alarmEmail: 'a@b.c' });
  });
});
