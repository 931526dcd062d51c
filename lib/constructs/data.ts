import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';
import { ACCEPT_FAILURE_QUEUE, CREATE_QUEUE, SECRET_NAMES, SHARE_FAILURE_QUEUE, WAKE_QUEUES } from '../pipeline-settings';

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export interface PipelineDataProps {
  /** Deliveries of a create message before the DLQ takes it (default CREATE_QUEUE.maxReceiveCount). */
  createMaxReceiveCount: number;
}

/** The stateful part: the onboarding table, the queues between the functions, and the three secrets. */
export class PipelineData extends Construct {
  readonly table: dynamodb.Table;
  readonly createQueue: sqs.Queue;
  readonly createDlq: sqs.Queue;
  /** Stream batches the accept worker gave up on (metadata only: the records stay in the table). */
  readonly acceptFailureQueue: sqs.Queue;
  /** Stream batches the share worker gave up on (metadata only: the reconciler writes their clients again). */
  readonly shareFailureQueue: sqs.Queue;
  /** Wake-ups of the accept retries scheduled on their records (keys and due time only), and of the credit shares': one queue per function (WAKE_QUEUES). */
  readonly acceptWakeQueue: sqs.Queue;
  readonly shareWakeQueue: sqs.Queue;
  /** Wake-ups that kept failing (the table, not Graph); the reconciler did their work. */
  readonly wakeDlq: sqs.Queue;
  readonly systemUserToken: secretsmanager.Secret;
  readonly appSecret: secretsmanager.Secret;
  /** What Meta's webhook subscription handshake must present; ops chooses it and enters it in the app dashboard too. */
  readonly webhookVerifyToken: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PipelineDataProps) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(TABLE_LAYOUT.partitionKey),
      sortKey: stringKey(TABLE_LAYOUT.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      stream: dynamodb.StreamViewType[TABLE_LAYOUT.streamView],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, index] of Object.entries(TABLE_LAYOUT.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: stringKey(index.partitionKey),
        ...('sortKey' in index ? { sortKey: stringKey(index.sortKey) } : {}),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Messages carry the Tech Provider's token (docs/design.md §4): encrypted, TLS only, short-lived.
    const queueDefaults = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    this.createDlq = new sqs.Queue(this, 'CreateDlq', {
      ...queueDefaults,
      retentionPeriod: Duration.seconds(CREATE_QUEUE.dlqRetentionSeconds),
    });
    this.createQueue = new sqs.Queue(this, 'CreateQueue', {
      ...queueDefaults,
      visibilityTimeout: Duration.seconds(CREATE_QUEUE.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(CREATE_QUEUE.retentionSeconds),
      deadLetterQueue: { queue: this.createDlq, maxReceiveCount: props.createMaxReceiveCount },
    });
    const deadEnd = 'A dead-letter queue itself, read by ops only (alarmed on depth); a DLQ behind it would only hide what it holds.';
    const onFailureQueue = (id: string, worker: string, settings: { retentionSeconds: number }) => {
      const queue = new sqs.Queue(this, id, { ...queueDefaults, retentionPeriod: Duration.seconds(settings.retentionSeconds) });
      const reason = `The ${worker} stream's on-failure destination. ${deadEnd}`;
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
      return queue;
    };
    this.acceptFailureQueue = onFailureQueue('AcceptFailureQueue', 'accept', ACCEPT_FAILURE_QUEUE);
    this.shareFailureQueue = onFailureQueue('ShareFailureQueue', 'share', SHARE_FAILURE_QUEUE);
    Validations.of(this.createDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: `The create queue's DLQ. ${deadEnd}` });
    this.wakeDlq = new sqs.Queue(this, 'WakeDlq', { ...queueDefaults, retentionPeriod: Duration.seconds(WAKE_QUEUES.dlqRetentionSeconds) });
    Validations.of(this.wakeDlq).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: `The wake queues' DLQ. ${deadEnd}` });
    const wakeQueue = (id: string, worker: keyof typeof WAKE_QUEUES.visibilityTimeoutSeconds) =>
      new sqs.Queue(this, id, {
        ...queueDefaults,
        visibilityTimeout: Duration.seconds(WAKE_QUEUES.visibilityTimeoutSeconds[worker]),
        retentionPeriod: Duration.seconds(WAKE_QUEUES.retentionSeconds),
        deadLetterQueue: { queue: this.wakeDlq, maxReceiveCount: WAKE_QUEUES.maxReceiveCount },
      });
    this.acceptWakeQueue = wakeQueue('AcceptWakeQueue', 'acceptSolution');
    this.shareWakeQueue = wakeQueue('ShareWakeQueue', 'shareCredit');

    // Created with a generated placeholder (never a real value in the template); ops overwrites it
    // with `aws secretsmanager put-secret-value`. Same names as the local runtime, so one account
    // and region hold one deployment of this stack.
    const placeholder = { excludePunctuation: true, passwordLength: 32 };
    this.systemUserToken = new secretsmanager.Secret(this, 'SystemUserToken', {
      secretName: SECRET_NAMES.systemUserToken,
      description: 'System-user access token of the Solution Partner (accepts solutions, shares the credit line with clients). Set by ops.',
      generateSecretString: placeholder,
    });
    this.appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      secretName: SECRET_NAMES.appSecret,
      description: "Solution Partner app's secret (debug_token checks at intake, webhook signatures). Set by ops.",
      generateSecretString: placeholder,
    });
    for (const secret of [this.systemUserToken, this.appSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Meta issues this credential (system-user token: Business Settings; app secret: App Dashboard), so Secrets Manager cannot rotate it. Ops replaces it with put-secret-value (docs/deploying.md); warm functions pick it up within SECRET_CACHE_TTL_SECONDS.',
      });
    }
    // Random from the start, so the webhook works with no step of ops beyond copying it to Meta.
    this.webhookVerifyToken = new secretsmanager.Secret(this, 'WebhookVerifyToken', {
      secretName: SECRET_NAMES.webhookVerifyToken,
      description: "Verify token of Meta's webhook subscription handshake (enter the same value in the app dashboard's Webhooks).",
      generateSecretString: placeholder,
    });
    Validations.of(this.webhookVerifyToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "It must equal the value entered in Meta's app dashboard, which Secrets Manager cannot change there: a rotation would break the next subscription handshake. Ops changes both together (docs/deploying.md).",
    });
  }
}
