import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRule, RateLimit } from '../../local/graph-simulator/controls';
import type { SimRequest, SimSolution } from '../../local/graph-simulator/state';
import type { RuntimeProcess } from './local-runtime-process';

/** Drives a running local runtime as the page, the Tech Provider and the tests' inspectors do. */
export class PipelineDriver {
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;

  constructor(readonly runtime: RuntimeProcess) {
    const { endpoints } = runtime;
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials }));
    this.sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials, useQueueUrlAsEndpoint: false });
  }

  destroy(): void {
    this.db.destroy();
    this.sqs.destroy();
  }

  async simulator<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.runtime.endpoints.graph}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** A Tech Provider of its own (apps are guarded per app: tests must not share them). */
  async techProvider(userId: string, appCount: number): Promise<string[]> {
    const apps = Array.from({ length: appCount }, (_, i) => ({ id: `${userId}${String(i).padStart(3, '0')}`, name: `app_${userId}_${i}` }));
    await this.simulator('POST', '/__sim/tech-providers', { userId, name: `TP ${userId}`, apps });
    return apps.map((a) => a.id);
  }

  /** What the Facebook dialog gives the page: a user token for the selected apps. */
  async login(appIds: string[], userId?: string): Promise<string> {
    return (await this.simulator<{ accessToken: string }>('POST', '/__sim/tokens', { appIds, userId })).accessToken;
  }

  addFault(rule: Omit<FaultRule, 'id' | 'phase'> & { phase?: FaultRule['phase'] }): Promise<FaultRule> {
    return this.simulator('POST', '/__sim/faults', rule);
  }

  async clearControls(): Promise<void> {
    await this.simulator('DELETE', '/__sim/faults');
    await this.simulator('PUT', '/__sim/rate-limits', [] satisfies RateLimit[]);
  }

  requests = () => this.simulator<SimRequest[]>('GET', '/__sim/requests');
  solutions = () => this.simulator<SimSolution[]>('GET', '/__sim/solutions');

  async postOnboarding(body: string, contentType = 'application/json') {
    const response = await fetch(`${this.runtime.endpoints.http}/api/onboardings`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
  }

  async start(token: string): Promise<string> {
    const started = await this.postOnboarding(JSON.stringify({ accessToken: token }));
    if (started.status !== 202) throw new Error(`onboarding not started: ${started.status} ${JSON.stringify(started.body)}`);
    return started.body.onboardingId as string;
  }

  async solutionItems(onboardingId: string): Promise<Record<string, any>[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.runtime.endpoints.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :solution)',
        ExpressionAttributeValues: { ':pk': `ONBOARDING#${onboardingId}`, ':solution': 'SOLUTION#' },
        ConsistentRead: true,
      }),
    );
    return Items;
  }

  /** Every solution item of a Tech Provider app, whichever onboarding it belongs to (index byAppId). */
  async itemsOfApp(appId: string): Promise<Record<string, any>[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.runtime.endpoints.tableName, IndexName: 'byAppId', KeyConditionExpression: 'appId = :appId', ExpressionAttributeValues: { ':appId': appId } }),
    );
    return Items;
  }

  /** Waits until every solution of the onboarding is in one of `statuses`, and returns them. */
  async settled(onboardingId: string, statuses: string[], timeoutMs = 45_000): Promise<Record<string, any>[]> {
    return this.waitUntil(`onboarding ${onboardingId} in ${statuses.join('/')}`, async () => {
      const items = await this.solutionItems(onboardingId);
      return items.length > 0 && items.every((i) => statuses.includes(i.status)) ? items : undefined;
    }, timeoutMs);
  }

  async queueDepth(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }

  async send(queueUrl: string, body: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  }

  async receiveOne(queueUrl: string): Promise<string | undefined> {
    const { Messages = [] } = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
    return Messages[0]?.Body;
  }

  async waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await probe();
      if (value !== undefined) return value;
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what}\n--- runtime output (tail) ---\n${this.runtime.output().slice(-6000)}`);
  }
}
