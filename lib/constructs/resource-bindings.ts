import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ResourceBinding } from './pipeline-function';

/**
 * Narrow bindings for PipelineFunction.bind: each grants only the actions the handler code calls,
 * on the one resource, where the L2 `grant*` helpers would add actions (and index ARNs) it never uses.
 */

/** Table items with exactly `actions`, on the table alone (an index is granted apart: indexQuery). */
export function tableItems(table: dynamodb.ITable, actions: readonly string[]): ResourceBinding {
  return {
    reference: table.tableName,
    attach: (fn) => void iam.Grant.addToPrincipal({ grantee: fn, actions: [...actions], resourceArns: [table.tableArn] }),
  };
}

/** Sending to a queue (SendMessageBatch is authorized as sqs:SendMessage). */
export function messagesTo(queue: sqs.IQueue): ResourceBinding {
  return { reference: queue.queueUrl, attach: (fn) => grantSendMessage(fn, queue) };
}

/** sqs:SendMessage alone, where `queue.grantSendMessages` adds GetQueueAttributes and GetQueueUrl. */
export function grantSendMessage(grantee: iam.IGrantable, queue: sqs.IQueue): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [queue.queueArn] });
}

/** Reading a secret's value (Powertools' SecretsProvider calls GetSecretValue, nothing else). */
export function secretValue(secret: secretsmanager.ISecret): ResourceBinding {
  return {
    reference: secret.secretArn,
    attach: (fn) => void iam.Grant.addToPrincipal({ grantee: fn, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn] }),
  };
}

/** Query on one index of the table, and nothing else. */
export function indexQuery(table: dynamodb.ITable, indexName: string): ResourceBinding {
  return {
    reference: table.tableName,
    attach: (fn) => void iam.Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [`${table.tableArn}/index/${indexName}`] }),
  };
}

/** Reading a queue's approximate message counts. */
export function queueBacklog(queue: sqs.IQueue): ResourceBinding {
  return {
    reference: queue.queueUrl,
    attach: (fn) => void iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:GetQueueAttributes'], resourceArns: [queue.queueArn] }),
  };
}
