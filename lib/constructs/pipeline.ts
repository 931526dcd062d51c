import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironments, type PartnerSettings } from '../function-environment';
import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE, RECONCILER } from '../pipeline-settings';
import type { PipelineData } from './data';
import { PipelineFunction, type PipelineFunctionName, type ResourceBinding } from './pipeline-function';
import { grantSendMessage, indexQuery, messagesTo, queueBacklog, secretValue, tableItems } from './resource-bindings';

/** The DynamoDB actions each function's record store really calls (lambdas/store/onboarding-store.ts). */
const TABLE_ACTIONS = {
  // Token guard (GetItem), onboarding with its solutions (Query), the creating transaction of
  // conditional Puts (each authorized as PutItem; ConditionCheckItem is only for ConditionCheck
  // entries, which it has none of), marking it enqueued (UpdateItem).
  intake: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // Claiming a solution with its app guard (a transaction of an Update and a conditional Put),
  // reading solutions and guards, releasing a failed holder's guard (DeleteItem), status transitions;
  // whether a record of ours holds a solution found awaiting our accept (the bySolutionId index).
  createSolution: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // Claiming a solution for its accept and its conditional transitions (UpdateItem), reading it.
  acceptSolution: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // Stalled and due solutions through the byStatus index (Query, granted on the index alone); reading
  // items and app guards, transitions and accept claims, releasing a failed holder's guard; live
  // solutions due for a lifecycle read through the same index.
  reconcile: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // A solution's records through the bySolutionId index (Query, granted on the index alone), reading
  // one again after a race, and its lifecycle transitions.
  webhook: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
} as const satisfies Record<PipelineFunctionName, readonly string[]>;

export interface PipelineProps {
  data: PipelineData;
  partner: PartnerSettings;
  /** The create queue's redrive setting: the worker tells the record when a delivery is the last. */
  createMaxReceiveCount: number;
}

/** The five functions, what each may touch, the event sources that drive the two workers, and the reconciler's schedule. */
export class Pipeline extends Construct {
  readonly functions: Record<PipelineFunctionName, lambda.Function>;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { table, createQueue, acceptFailureQueue, appSecret, systemUserToken, webhookVerifyToken } = props.data;
    const environments = functionEnvironments(
      props.partner,
      {
        tableName: table.tableName,
        createQueueUrl: createQueue.queueUrl,
        appSecretId: appSecret.secretArn,
        systemUserTokenSecretId: systemUserToken.secretArn,
        webhookVerifyTokenSecretId: webhookVerifyToken.secretArn,
      },
      props.createMaxReceiveCount,
    );
    const pipelineFunction = (constructId: string, name: PipelineFunctionName) =>
      new PipelineFunction(this, constructId, { name, environment: environments[name] });

    const intake = pipelineFunction('Intake', 'intake').bind(
      tableItems(table, TABLE_ACTIONS.intake),
      messagesTo(createQueue),
      secretValue(appSecret),
    );
    const createSolution = pipelineFunction('CreateSolution', 'createSolution').bind(
      tableItems(table, TABLE_ACTIONS.createSolution),
      indexQuery(table, 'bySolutionId'),
      createQueueTrigger(createQueue),
    );
    const acceptSolution = pipelineFunction('AcceptSolution', 'acceptSolution').bind(
      tableItems(table, TABLE_ACTIONS.acceptSolution),
      secretValue(systemUserToken),
    );
    acceptSolution.function.addEventSource(createdSolutionsSource(table, acceptFailureQueue));
    const reconcile = pipelineFunction('Reconcile', 'reconcile').bind(
      tableItems(table, TABLE_ACTIONS.reconcile),
      indexQuery(table, 'byStatus'),
      queueBacklog(createQueue),
      secretValue(systemUserToken),
    );
    this.schedule = reconcilerSchedule(this, reconcile.function);
    const webhook = pipelineFunction('Webhook', 'webhook').bind(
      tableItems(table, TABLE_ACTIONS.webhook),
      indexQuery(table, 'bySolutionId'),
      secretValue(appSecret),
      secretValue(webhookVerifyToken),
    );

    this.functions = {
      intake: intake.function,
      createSolution: createSolution.function,
      acceptSolution: acceptSolution.function,
      reconcile: reconcile.function,
      webhook: webhook.function,
    };
  }
}

/**
 * Every RECONCILER.intervalSeconds, EventBridge Scheduler invokes the reconciler (asynchronously: a
 * failed pass is simply followed by the next one, so the target neither retries nor keeps a DLQ).
 * Its role may invoke that one function, unqualified: not `LambdaInvoke`'s grant, which adds every
 * version and alias (`<arn>:*`).
 */
function reconcilerSchedule(scope: Construct, fn: lambda.Function): scheduler.Schedule {
  // Lambda itself would retry a failed asynchronous invocation twice: a failed pass waits for the next.
  fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(RECONCILER.intervalSeconds) });
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaAsyncFailureDestination',
    reason: 'The schedule’s event carries nothing to keep: a failed pass is followed by the next a minute later, and failed passes count in ReconcileErrorsAlarm.',
  });
  const role = new iam.Role(scope, 'ReconcilerScheduleRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  iam.Grant.addToPrincipal({ grantee: role, actions: ['lambda:InvokeFunction'], resourceArns: [fn.functionArn] });
  return new scheduler.Schedule(scope, 'ReconcilerSchedule', {
    description: 'Moves on solutions that are neither final nor progressing (docs/design.md §5 "Nothing strands").',
    schedule: scheduler.ScheduleExpression.rate(Duration.seconds(RECONCILER.intervalSeconds)),
    target: {
      bind: () => ({ arn: fn.functionArn, role, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: RECONCILER.intervalSeconds } }),
    },
  });
}



/**
 * The create queue feeds create-solution, which also delays a failed message's retry through the
 * queue's URL (ChangeMessageVisibility, covered by the event source's consumer grant) and puts a
 * message back as a new, delayed one while another attempt holds its solution (sqs:SendMessage).
 * Batch size and concurrency are capped on purpose: Graph rate-limits solution creation per app and user.
 */
function createQueueTrigger(queue: sqs.IQueue): ResourceBinding {
  return {
    reference: queue.queueUrl,
    attach: (fn) => {
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: CREATE_EVENT_SOURCE.batchSize,
          maxBatchingWindow: Duration.seconds(CREATE_EVENT_SOURCE.maxBatchingWindowSeconds),
          maxConcurrency: CREATE_EVENT_SOURCE.maxConcurrency,
          reportBatchItemFailures: CREATE_EVENT_SOURCE.reportBatchItemFailures,
        }),
      );
      grantSendMessage(fn, queue);
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: "SQS mappings take no on-failure destination: the queue's redrive policy parks what keeps failing in the create DLQ, which is alarmed.",
      });
    },
  };
}

/** Solutions that just became CREATED, with bounded retries; what still fails is reported to the on-failure queue. */
function createdSolutionsSource(table: dynamodb.ITable, onFailure: sqs.IQueue): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: lambda.StartingPosition[ACCEPT_EVENT_SOURCE.startingPosition],
    batchSize: ACCEPT_EVENT_SOURCE.batchSize,
    parallelizationFactor: ACCEPT_EVENT_SOURCE.parallelizationFactor,
    bisectBatchOnError: ACCEPT_EVENT_SOURCE.bisectBatchOnError,
    retryAttempts: ACCEPT_EVENT_SOURCE.retryAttempts,
    maxRecordAge: Duration.seconds(ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds),
    reportBatchItemFailures: ACCEPT_EVENT_SOURCE.reportBatchItemFailures,
    onFailure: sendOnlyDestination(onFailure),
    // The pattern already has EventBridge's shape (every leaf an array of values or rules).
    filters: [lambda.FilterCriteria.filter(ACCEPT_EVENT_SOURCE.filterPattern)],
  });
}

/** Like SqsDlq, but granting only the sqs:SendMessage the mapping needs. */
function sendOnlyDestination(queue: sqs.IQueue): lambda.IEventSourceDlq {
  return {
    bind: (_mapping, fn) => {
      grantSendMessage(fn, queue);
      return { destination: queue.queueArn };
    },
  };
}
