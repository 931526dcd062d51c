import { Match } from 'aws-cdk-lib/assertions';
import { TABLE_LAYOUT } from '../../../lambdas/store/table-layout';
import { ACCEPT_FAILURE_QUEUE, CREATE_QUEUE, SECRET_NAMES, WAKE_QUEUES } from '../../../lib/pipeline-settings';
import { arn, FULL_CONTEXT, logicalId, ref, resourceOf, synthApp } from '../app-under-test';

const FOURTEEN_DAYS = 14 * 24 * 3600;
const { stack, template } = synthApp(FULL_CONTEXT);
const { data, pipeline } = stack;

describe('data: table', () => {
  it('is built from TABLE_LAYOUT: keys, string attributes, the three GSIs of docs/design.md §4 projecting ALL', () => {
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
    // By status newest first, by Tech Provider app, by solution ID (by onboarding is the table's own key).
    expect(indexes.map((i) => [i.IndexName, ...i.KeySchema.map((k) => k.AttributeName)])).toEqual([
      ['byStatus', 'status', 'updatedAt'],
      ['byAppId', 'appId', 'createdAt'],
      ['bySolutionId', 'solutionId'],
    ]);
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

describe('data: queues', () => {
  it('create queue: retention from CREATE_QUEUE, redrive to the DLQ after CREATE_QUEUE.maxReceiveCount by default', () => {
    expect(resourceOf(template, data.createQueue).Properties).toMatchObject({
      MessageRetentionPeriod: CREATE_QUEUE.retentionSeconds,
      RedrivePolicy: { deadLetterTargetArn: arn(data.createDlq), maxReceiveCount: CREATE_QUEUE.maxReceiveCount },
    });
  });

  it('create queue: visibility timeout is at least 6× the create worker timeout', () => {
    const visibility = resourceOf(template, data.createQueue).Properties.VisibilityTimeout as number;
    const workerTimeout = resourceOf(template, pipeline.functions.createSolution).Properties.Timeout as number;
    expect(visibility).toBe(CREATE_QUEUE.visibilityTimeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(6 * workerTimeout);
  });

  it('the DLQ and the accept and share on-failure queues keep messages 14 days', () => {
    expect(resourceOf(template, data.createDlq).Properties.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
    expect(resourceOf(template, data.acceptFailureQueue).Properties.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
    expect(resourceOf(template, data.shareFailureQueue).Properties.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
    expect(ACCEPT_FAILURE_QUEUE.retentionSeconds).toBe(FOURTEEN_DAYS);
  });

  it.each([
    ['accept', 'acceptSolution', data.acceptWakeQueue],
    ['share', 'shareCredit', data.shareWakeQueue],
  ] as const)('%s wake queue: visibility at least 6× its worker’s timeout, redrive to the wake DLQ (kept 14 days), a day’s retention', (_label, worker, queue) => {
    const workerTimeout = resourceOf(template, pipeline.functions[worker]).Properties.Timeout as number;
    expect(resourceOf(template, queue).Properties).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: WAKE_QUEUES.visibilityTimeoutSeconds[worker],
      MessageRetentionPeriod: WAKE_QUEUES.retentionSeconds,
      RedrivePolicy: { deadLetterTargetArn: arn(data.wakeDlq), maxReceiveCount: WAKE_QUEUES.maxReceiveCount },
    });
    expect(WAKE_QUEUES.visibilityTimeoutSeconds[worker]).toBeGreaterThanOrEqual(6 * workerTimeout);
    expect(resourceOf(template, data.wakeDlq).Properties.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
  });

  it('every queue is SSE-encrypted (SQS managed) and refuses non-TLS access', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const all = [data.createQueue, data.createDlq, data.acceptFailureQueue, data.shareFailureQueue, data.acceptWakeQueue, data.shareWakeQueue, data.wakeDlq];
    expect(Object.keys(queues).sort()).toEqual(all.map(logicalId).sort());
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const queue of all) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  it('context createMaxReceiveCount overrides the redrive count (its validation: checks/synth.ts)', () => {
    const other = synthApp({ createMaxReceiveCount: '8' });
    expect(resourceOf(other.template, other.stack.data.createQueue).Properties.RedrivePolicy.maxReceiveCount).toBe(8);
  });
});

describe('data: secrets', () => {
  it('three separate secrets named from SECRET_NAMES, created with a generated placeholder', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets).sort()).toEqual([logicalId(data.appSecret), logicalId(data.systemUserToken), logicalId(data.webhookVerifyToken)].sort());
    expect(resourceOf(template, data.systemUserToken).Properties.Name).toBe(SECRET_NAMES.systemUserToken);
    expect(resourceOf(template, data.appSecret).Properties.Name).toBe(SECRET_NAMES.appSecret);
    expect(resourceOf(template, data.webhookVerifyToken).Properties.Name).toBe(SECRET_NAMES.webhookVerifyToken);
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeDefined();
    }
  });

  it("no secret value anywhere: environments and outputs hold only the secrets' ARNs, nothing resolves a value", () => {
    const json = template.toJSON();
    expect(JSON.stringify(json)).not.toMatch(/resolve:secretsmanager|"SecretString"/);
    const secretIds = [logicalId(data.appSecret), logicalId(data.systemUserToken), logicalId(data.webhookVerifyToken)];
    const values = [
      ...Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => Object.values(fn.Properties.Environment?.Variables ?? {})),
      ...Object.values(json.Outputs as Record<string, { Value: unknown }>).map((output) => output.Value),
    ];
    for (const value of values) {
      // A secret's Ref is its ARN; any other use of a secret here could carry its value.
      for (const id of secretIds) if (JSON.stringify(value).includes(`"${id}"`)) expect(value).toEqual({ Ref: id });
    }
    expect(values).toEqual(expect.arrayContaining(secretIds.map((id) => ({ Ref: id }))));
  });
});
