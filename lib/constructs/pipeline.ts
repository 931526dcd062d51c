import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE } from '../pipeline-settings';

export interface PipelineTriggersProps {
  table: dynamodb.ITable;
  createQueue: sqs.IQueue;
  acceptFailureQueue: sqs.IQueue;
  createSolution: lambda.IFunction;
  acceptSolution: lambda.IFunction;
}

/** What drives the workers: the create queue feeds create-solution, the table stream accept-solution. */
export class PipelineTriggers extends Construct {
  constructor(scope: Construct, id: string, props: PipelineTriggersProps) {
    super(scope, id);

    props.createSolution.addEventSource(
      new SqsEventSource(props.createQueue, {
        batchSize: CREATE_EVENT_SOURCE.batchSize,
        maxBatchingWindow: Duration.seconds(CREATE_EVENT_SOURCE.maxBatchingWindowSeconds),
        maxConcurrency: CREATE_EVENT_SOURCE.maxConcurrency,
        reportBatchItemFailures: CREATE_EVENT_SOURCE.reportBatchItemFailures,
      }),
    );

    props.acceptSolution.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition[ACCEPT_EVENT_SOURCE.startingPosition],
        batchSize: ACCEPT_EVENT_SOURCE.batchSize,
        bisectBatchOnError: ACCEPT_EVENT_SOURCE.bisectBatchOnError,
        retryAttempts: ACCEPT_EVENT_SOURCE.retryAttempts,
        maxRecordAge: Duration.seconds(ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds),
        reportBatchItemFailures: ACCEPT_EVENT_SOURCE.reportBatchItemFailures,
        onFailure: new SqsDlq(props.acceptFailureQueue),
        // The pattern already has EventBridge's shape (every leaf an array of values or rules).
        filters: [lambda.FilterCriteria.filter(ACCEPT_EVENT_SOURCE.filterPattern)],
      }),
    );
  }
}
