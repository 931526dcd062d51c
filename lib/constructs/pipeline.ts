import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironments, type PartnerSettings } from '../function-environment';
import { ACCEPT_EVENT_SOURCE, CLIENT_DISCOVERY, CREATE_EVENT_SOURCE, RECONCILER, SHARE_EVENT_SOURCE, WAKE_EVENT_SOURCES, type QueueSourceSettings } from '../pipeline-settings';
import type { PipelineData } from './data';
import { PipelineFunction, type PipelineFunctionName, type ResourceBinding } from './pipeline-function';
import { grantSendMessage, indexQuery, messagesTo, queueBacklog, secretValue, tableItems } from './resource-bindings';

/** The DynamoDB actions each function's record store really calls (lambdas/store/onboarding-store.ts). */
const TABLE_ACTIONS = {
  // Token guard (GetItem), onboarding with its solutions (Query), the creating transaction of
  // conditional Puts (each authorized as PutItem; ConditionCheckItem is only for ConditionCheck
  // entries, which it has none of), marking it enqueued (UpdateItem); each solution's joined count (GetItem).
  intake: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // Claiming a solution with its app guard (a transaction of an Update and a conditional Put),
  // reading solutions and guards, releasing a failed holder's guard (DeleteItem), status transitions;
  // whether a record of ours holds a solution found awaiting our accept (the bySolutionId index);
  // a deferred check: the onboarding read (Query), verified with its solutions (a transaction of an
  // Update and Puts) or failed, and marked enqueued (UpdateItem).
  createSolution: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // Claiming a solution for its accept and its conditional transitions (UpdateItem), reading it.
  acceptSolution: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // Stalled and due solutions through the byStatus index (Query, granted on the index alone); reading
  // items and app guards, transitions and accept claims, releasing a failed holder's guard; live
  // solutions due for a lifecycle read through the same index; VERIFYING onboardings past their
  // token's lifetime through it too, each ended VERIFY_FAILED (UpdateItem).
  reconcile: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // A solution's records through the bySolutionId index (Query, granted on the index alone), reading
  // one again after a race, and its lifecycle transitions; a new client recorded with its WABA's link
  // and its app's weekly count (a transaction of Puts and Updates), a WABA's clients and the
  // weekly count read (Query on the table's keys), clients' transitions (a leaving one's with its
  // solution's joined count: a transaction of Updates).
  webhook: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  // Reading a client, claiming it and its transitions (UpdateItem, trimming its history too).
  shareCredit: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // A WABA's recorded clients and the app's weekly count (Query on the table's keys), reading a
  // client, recording a new one as the webhook does, noting that the pass told of a known one; whether
  // a WABA's solution is ours through the bySolutionId index (granted on the index alone).
  discoverClients: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
} as const satisfies Record<PipelineFunctionName, readonly string[]>;

export interface PipelineProps {
  data: PipelineData;
  partner: PartnerSettings;
  /** The create queue's redrive setting: the worker tells the record when a delivery is the last. */
  createMaxReceiveCount: number;
}

/** The functions, what each may touch, the event sources that drive the workers, and the schedules of the reconciler and the client discovery. */
export class Pipeline extends Construct {
  readonly functions: Record<PipelineFunctionName, lambda.Function>;
  /** The reconciler's. */
  readonly schedule: scheduler.Schedule;
  readonly discoverySchedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { table, createQueue, acceptFailureQueue, shareFailureQueue, acceptWakeQueue, shareWakeQueue, appSecret, systemUserToken, webhookVerifyToken } = props.data;
    const environments = functionEnvironments(
      props.partner,
      {
        tableName: table.tableName,
        createQueueUrl: createQueue.queueUrl,
        acceptWakeQueueUrl: acceptWakeQueue.queueUrl,
        shareWakeQueueUrl: shareWakeQueue.queueUrl,
        appSecretId: appSecret.secretArn,
        systemUserTokenSecretId: systemUserToken.secretArn,
        webhookVerifyTokenSecretId: webhookVerifyToken.secretArn,
      },
      props.createMaxReceiveCount,
    );
    const pipelineFunction = (constructId: string, name: PipelineFunctionName, scheduled?: ScheduledPasses) =>
      new PipelineFunction(this, constructId, { name, environment: environments[name], ...(scheduled && { scheduledBecause: scheduled.noDestinationBecause }) });

    const intake = pipelineFunction('Intake', 'intake').bind(
      tableItems(table, TABLE_ACTIONS.intake),
      messagesTo(createQueue),
      secretValue(appSecret),
    );
    const createSolution = pipelineFunction('CreateSolution', 'createSolution').bind(
      tableItems(table, TABLE_ACTIONS.createSolution),
      indexQuery(table, 'bySolutionId'),
      queueTrigger(createQueue, CREATE_EVENT_SOURCE, "the queue's redrive policy parks what keeps failing in the create DLQ, which is alarmed"),
      // debug_token, for the checks intake deferred to the queue.
      secretValue(appSecret),
    );
    // The stream's two workers act on Graph as our system user, each on the items its filter lets
    // through, and on the wake-ups of the retries they schedule (each its own wake queue).
    const streamWorker = (constructId: string, name: 'acceptSolution' | 'shareCredit', settings: StreamSourceSettings, onFailure: sqs.IQueue, wakeQueue: sqs.IQueue) => {
      const worker = pipelineFunction(constructId, name).bind(
        tableItems(table, TABLE_ACTIONS[name]),
        secretValue(systemUserToken),
        queueTrigger(wakeQueue, WAKE_EVENT_SOURCES[name], "the wake queue's redrive policy parks what keeps failing in the wake DLQ, which is alarmed; the reconciler retries those items meanwhile"),
      );
      worker.function.addEventSource(tableStreamSource(table, settings, onFailure));
      return worker;
    };
    const acceptSolution = streamWorker('AcceptSolution', 'acceptSolution', ACCEPT_EVENT_SOURCE, acceptFailureQueue, acceptWakeQueue);
    const reconcile = pipelineFunction('Reconcile', 'reconcile', RECONCILER_PASSES).bind(
      tableItems(table, TABLE_ACTIONS.reconcile),
      indexQuery(table, 'byStatus'),
      queueBacklog(createQueue),
      secretValue(systemUserToken),
      // The accept retries a pass schedules are woken like the accept worker's.
      messagesTo(acceptWakeQueue),
    );
    this.schedule = schedulePasses(this, 'Reconciler', reconcile.function, RECONCILER_PASSES);
    const shareCredit = streamWorker('ShareCredit', 'shareCredit', SHARE_EVENT_SOURCE, shareFailureQueue, shareWakeQueue);
    const discoverClients = pipelineFunction('DiscoverClients', 'discoverClients', DISCOVERY_PASSES).bind(
      tableItems(table, TABLE_ACTIONS.discoverClients),
      indexQuery(table, 'bySolutionId'),
      secretValue(systemUserToken),
    );
    this.discoverySchedule = schedulePasses(this, 'ClientDiscovery', discoverClients.function, DISCOVERY_PASSES);
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
      shareCredit: shareCredit.function,
      discoverClients: discoverClients.function,
    };
  }
}

/** How a function runs on a fixed-rate schedule, and why its failed invocations need no destination. */
interface ScheduledPasses {
  description: string;
  every: Duration;
  /** Asynchronous retries of a failed pass (Lambda's, and the Scheduler's of a failed delivery), within `maxEventAge`. */
  retryAttempts: number;
  maxEventAge: Duration;
  noDestinationBecause: string;
}

/** A reconciler pass a minute: a failed pass is simply followed by the next, so it is not retried. */
const RECONCILER_PASSES: ScheduledPasses = {
  description: 'Moves on solutions and clients that are neither final nor progressing (docs/design.md §5 "Nothing strands").',
  every: Duration.seconds(RECONCILER.intervalSeconds),
  retryAttempts: 0,
  maxEventAge: Duration.seconds(RECONCILER.intervalSeconds),
  noDestinationBecause:
    "The schedule's event carries nothing to keep: a failed pass is simply followed by the next one a minute later. Failed passes count in ReconcileErrorsAlarm.",
};

/**
 * One discovery pass a day: a pass that fails (a Graph outage) is tried again by Lambda twice, a
 * minute or two apart, within the hour; a pass records only what is not recorded, so a repeat is harmless.
 */
const DISCOVERY_PASSES: ScheduledPasses = {
  description: 'Records the client WABAs shared with our business that no account_update webhook told of (docs/design.md §7).',
  every: Duration.hours(CLIENT_DISCOVERY.intervalHours),
  retryAttempts: 2,
  maxEventAge: Duration.hours(1),
  noDestinationBecause:
    "The schedule's event carries nothing to keep: a failed pass is retried twice, then the next day's pass covers the same WABAs. Failed passes count in DiscoverClientsErrorsAlarm.",
};

/**
 * EventBridge Scheduler invokes the function every `passes.every`, asynchronously. Its role may
 * invoke that one function, unqualified: not `LambdaInvoke`'s grant, which adds every version and
 * alias (`<arn>:*`).
 */
function schedulePasses(scope: Construct, id: string, fn: lambda.Function, passes: ScheduledPasses): scheduler.Schedule {
  const maximumEventAgeInSeconds = passes.maxEventAge.toSeconds();
  // Lambda itself would retry a failed asynchronous invocation twice: each schedule says how often.
  fn.configureAsyncInvoke({ retryAttempts: passes.retryAttempts, maxEventAge: passes.maxEventAge });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: passes.noDestinationBecause });
  const role = new iam.Role(scope, `${id}ScheduleRole`, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  iam.Grant.addToPrincipal({ grantee: role, actions: ['lambda:InvokeFunction'], resourceArns: [fn.functionArn] });
  return new scheduler.Schedule(scope, `${id}Schedule`, {
    description: passes.description,
    schedule: scheduler.ScheduleExpression.rate(passes.every),
    target: {
      bind: () => ({ arn: fn.functionArn, role, retryPolicy: { maximumRetryAttempts: passes.retryAttempts, maximumEventAgeInSeconds } }),
    },
  });
}

/**
 * A queue that feeds its function, which also sends to it (sqs:SendMessage): create-solution puts a
 * message back as a new, delayed one while another attempt holds its solution (and delays a failed
 * message's retry through ChangeMessageVisibility, covered by the event source's consumer grant); a
 * wake queue's worker sends its retries' wake-ups, and sends one that came early again. Batch size
 * and concurrency are capped on purpose: Graph rate-limits us per app, user and business.
 */
function queueTrigger(queue: sqs.IQueue, settings: QueueSourceSettings, parkedBecause: string): ResourceBinding {
  return {
    reference: queue.queueUrl,
    attach: (fn) => {
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: settings.batchSize,
          maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
          maxConcurrency: settings.maxConcurrency,
          reportBatchItemFailures: settings.reportBatchItemFailures,
        }),
      );
      grantSendMessage(fn, queue);
      Validations.of(fn).acknowledge({ id: 'Serverless-LambdaEventSourceMappingDestination', reason: `SQS mappings take no on-failure destination: ${parkedBecause}.` });
    },
  };
}

type StreamSourceSettings = typeof ACCEPT_EVENT_SOURCE | typeof SHARE_EVENT_SOURCE;

/**
 * A worker on the table's stream (the accept worker: solutions that just became CREATED; the share
 * worker: clients awaiting their credit line), filtered, with bounded retries; what still fails is
 * reported to its on-failure queue.
 */
function tableStreamSource(table: dynamodb.ITable, settings: StreamSourceSettings, onFailure: sqs.IQueue): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: lambda.StartingPosition[settings.startingPosition],
    batchSize: settings.batchSize,
    parallelizationFactor: settings.parallelizationFactor,
    bisectBatchOnError: settings.bisectBatchOnError,
    retryAttempts: settings.retryAttempts,
    maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    reportBatchItemFailures: settings.reportBatchItemFailures,
    onFailure: sendOnlyDestination(onFailure),
    // The pattern already has EventBridge's shape (every leaf an array of values or rules).
    filters: [lambda.FilterCriteria.filter(settings.filterPattern)],
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
