import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability';

/**
 * AWS SDK clients, created once per container on first use. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables, so the local runtime needs no code path of its own. Each
 * call is a subsegment of the function's trace (where tracing is on).
 */
let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
let secretsClient: SecretsManagerClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
  return documentClient;
}

export function sqs(): SQSClient {
  // fauxqs queue URLs name a host that only resolves to it; always send to the configured endpoint.
  sqsClient ??= tracer.captureAWSv3Client(new SQSClient({ useQueueUrlAsEndpoint: false }));
  return sqsClient;
}

export function secretsManager(): SecretsManagerClient {
  secretsClient ??= tracer.captureAWSv3Client(new SecretsManagerClient({}));
  return secretsClient;
}
