import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

  /**
   * What the Facebook dialog gives the page: a user token for the selected apps; `grant` makes it
   * one a real login could also turn out to be (expired, for another app, without a permission).
   */
  async login(appIds: string[], userId?: string, grant: { expiresInSeconds?: number; forAppId?: string; scopes?: string[] } = {}): Promise<string> {
    return (await this.simulator<{ accessToken: string }>('POST', '/__sim/tokens', { appIds, userId, ...grant })).accessToken;
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

  postOnboarding(body: string, contentType = 'application/json') {
    return this.api('POST', '/api/onboardings', { headers: { 'content-type': contentType }, body });
  }

  getOnboarding(onboardingId: string) {
    return this.api('GET', `/api/onboardings/${onboardingId}`);
  }

  /** One call of the public API: its answer as sent (`text`) and parsed (`body`; every answer of the contract is JSON). */
  private async api(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
    const response = await fetch(`${this.runtime.endpoints.http}${path}`, { method, ...init });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Record<string, any> };
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

  /** The client record of a (solution, WABA), read consistently. */
  async clientItem(solutionId: string, wabaId: string): Promise<Record<string, any> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.runtime.endpoints.tableName, Key: { pk: `SOLUTION#${solutionId}`, sk: `CLIENT#${wabaId}` }, ConsistentRead: true }));
    return Item;
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

  /**
   * A solution item made CREATED without a solution ID, as no worker writes it: poison for the accept
   * worker, whose stream batch ends on the on-failure queue once the stream's retries are spent.
   */
  async poisonAcceptStream(onboardingId: string, appId: string): Promise<void> {
    const TableName = this.runtime.endpoints.tableName;
    const Key = { pk: `ONBOARDING#${onboardingId}`, sk: `SOLUTION#${appId}` };
    await this.db.send(new PutCommand({ TableName, Item: { ...Key, entity: 'solution', status: 'PENDING', onboardingId, appId } }));
    await this.db.send(
      new UpdateCommand({ TableName, Key, UpdateExpression: 'SET #s = :created', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':created': 'CREATED' } }),
    );
  }

  /** Every record of the table's stream so far, each shard read from its oldest record. */
  async streamRecords(): Promise<{ streamArn: string; shardId: string; record: _Record }[]> {
    const { endpoints } = this.runtime;
    const streams = new DynamoDBStreamsClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const found: { streamArn: string; shardId: string; record: _Record }[] = [];
    try {
      const { Streams = [] } = await streams.send(new ListStreamsCommand({ TableName: endpoints.tableName }));
      for (const { StreamArn: streamArn } of Streams) {
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const { ShardId: shardId } of StreamDescription?.Shards ?? []) {
          let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
          while (ShardIterator) {
            const { Records = [], NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator }));
            // An open shard always has a next iterator: an empty read is where it ends for now.
            if (Records.length === 0) break;
            found.push(...Records.map((record) => ({ streamArn: streamArn!, shardId: shardId!, record })));
            ShardIterator = NextShardIterator;
          }
        }
      }
      return found;
    } finally {
      streams.destroy();
    }
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
