import { parseArgs } from 'node:util';
import { startLocalRuntime } from './runtime/local-runtime';
import { runtimeFile } from './runtime/runtime-file';

/**
 * `npm start`: the whole pipeline on this machine. Options: `--reset` wipes local data first.
 * Environment: PORT (3000), DATA_DIR (.data), GRAPH_API_BASE_URL (skip the simulator),
 * PARTNER_APP_ID, SYSTEM_USER_TOKEN, APP_SECRET (seed the secrets and the simulator).
 */
// Lambda runs Node 22; Node 20 is only the local development runtime, and the SDK versions are pinned.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });
const log = (line: string) => process.stderr.write(`[local] ${line}\n`);

const startedAt = Date.now();
const dataDir = process.env.DATA_DIR ?? '.data';
try {
  const runtime = await startLocalRuntime({
    port: Number(process.env.PORT ?? 3000),
    dataDir,
    reset: values.reset ?? false,
    graphApiBaseUrl: process.env.GRAPH_API_BASE_URL || undefined,
    partnerAppId: process.env.PARTNER_APP_ID || undefined,
    systemUserToken: process.env.SYSTEM_USER_TOKEN || undefined,
    appSecret: process.env.APP_SECRET || undefined,
    log,
  });
  const e = runtime.endpoints;
  log(`DynamoDB Local   ${e.dynamodb} (table ${e.tableName})`);
  log(`SQS (fauxqs)     ${e.sqs}`);
  log(`  create queue     ${e.queues.createSolution}`);
  log(`  create DLQ       ${e.queues.createSolutionDlq}`);
  log(`  accept failures  ${e.queues.acceptSolutionFailures}`);
  log(`Secrets Manager  ${e.secretsManager}`);
  log(`Graph API        ${e.graph}${runtime.graphSimulator ? ' (simulator)' : ''}`);
  log(`Onboarding page  ${e.http}/`);
  log(`Ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; endpoints in ${runtimeFile(dataDir)}. Ctrl-C to stop.`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
