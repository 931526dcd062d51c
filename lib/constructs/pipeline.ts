import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionEnvironments, type PartnerSettings } from '../function-environment';
import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE } from '../pipeline-settings';
import type { PipelineData } from './data';
import { PipelineFunction, type PipelineFunctionName, type ResourceBinding } from './pipeline-function';
import { grantSendMessage, messagesTo, secretValue, tableItems } from './resource-bindings';

/** The DynamoDB actions each function's record store really calls (lambdas/store/onboarding-store.ts). */
const TABLE_ACTIONS = {
  // Token guard (GetItem), onboarding with its solutions (Query), the creating transaction of
  // conditional Puts (each authorized as PutItem; ConditionCheckItem is only for ConditionCheck
  // entries, which it has none of), marking it enqueued (UpdateItem).
  intake: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  // Claiming a solution with its app guard (a transaction of an Update and a conditional Put),
  // reading solutions and guards, releasing a failed holder's guard (DeleteItem), status transitions.
  createSolution: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  // Reading a solution, then its conditional status transition.
  acceptSolution: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
} as const satisfies Record<PipelineFunctionName, readonly string[]>;

export interface PipelineProps {
  data: PipelineData;
  partner: PartnerSettings;
}

/** The three functions, what each may touch, and the event sources that drive the two workers. */
export class Pipeline extends Construct {
  readonly functions: Record<PipelineFunctionName, lambda.Function>;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { table, createQueue, acceptFailureQueue, appSecret, systemUserToken } = props.data;
    const environments = functionEnvironments(props.partner, {
      tableName: table.tableName,
      createQueueUrl: createQueue.queueUrl,
      appSecretId: appSecret.secretArn,
      systemUserTokenSecretId: systemUserToken.secretArn,
    });
    const pipelineFunction = (constructId: string, name: PipelineFunctionName) =>
      new PipelineFunction(this, constructId, { name, environment: environments[name] });

    const intake = pipelineFunction('Intake', 'intake').bind(
      tableItems(table, TABLE_ACTIONS.intake),
      messagesTo(createQueue),
      secretValue(appSecret),
    );
    const createSolution = pipelineFunction('CreateSolution', 'createSolution').bind(
      tableItems(table, TABLE_ACTIONS.createSolution),
      createQueueTrigger(createQueue),
    );
    const acceptSolution = pipelineFunction('AcceptSolution', 'acceptSolution').bind(
      tableItems(table, TABLE_ACTIONS.acceptSolution),
      secretValue(systemUserToken),
    );
    acceptSolution.function.addEventSource(createdSolutionsSource(table, acceptFailureQueue));

    this.functions = { intake: intake.function, createSolution: createSolution.function, acceptSolution: acceptSolution.function };
  }
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
