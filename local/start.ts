import { parseArgs } from 'node:util';
import { loadTimeScale } from '../lambdas/config';
import { startLocalRuntime } from './runtime/local-runtime';
import { runtimeFile } from './runtime/runtime-file';

/**
 * `npm start`: the whole pipeline on this machine. Options: `--reset` wipes local data first;
 * `-c key=value` (repeatable) overrides a CDK context value of cdk.json, as `cdk synth -c` does.
 * Environment: PORT (3000), DATA_DIR (.data), GRAPH_API_BASE_URL (skip the simulator),
 * PARTNER_APP_ID, SYSTEM_USER_TOKEN, APP_SECRET, WEBHOOK_VERIFY_TOKEN (seed the secrets and the simulator),
 * RECONCILE_INTERVAL_SECONDS (the reconciler's period; the schedule's by default), DISCOVERY_INTERVAL_SECONDS
 * (the client discovery's; a day, scaled, by default; SIGUSR2 runs one pass at once), TIME_SCALE (0 < s ≤ 1:
 * the schedule's waits multiplied by it, lambdas/schedule.ts; 1 by default), BUNDLES_DIR (where the
 * functions' bundles are built and reused; DATA_DIR/bundles by default), USAGE_METER=1 (count what the
 * functions consume of DynamoDB, SQS and Lambda: the bench's cost section reads it).
 */

const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false }, context: { type: 'string', short: 'c', multiple: true, default: [] } } });
const context = Object.fromEntries(
  (values.context ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`-c takes key=value, got ${JSON.stringify(pair)}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
/** A schedule's period from the environment, in seconds; the schedule's own when unset. */
function intervalFromEnv(name: string): number | undefined {
  const seconds = process.env[name] ? Number(process.env[name]) : undefined;
  if (seconds !== undefined && !(seconds > 0)) throw new Error(`${name} must be a positive number of seconds`);
  return seconds;
}
const reconcileIntervalSeconds = intervalFromEnv('RECONCILE_INTERVAL_SECONDS');
const discoveryIntervalSeconds = intervalFromEnv('DISCOVERY_INTERVAL_SECONDS');
const timeScale = loadTimeScale();
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
    webhookVerifyToken: process.env.WEBHOOK_VERIFY_TOKEN || undefined,
    context,
    reconcileIntervalSeconds,
    discoveryIntervalSeconds,
    timeScale,
    bundlesDir: process.env.BUNDLES_DIR || undefined,
    meterUsage: process.env.USAGE_METER === '1',
    log,
  });
  const e = runtime.endpoints;
  log(`DynamoDB Local   ${e.dynamodb} (table ${e.tableName})`);
  log(`SQS (fauxqs)     ${e.sqs}`);
  log(`  create queue     ${e.queues.createSolution}`);
  log(`  create DLQ       ${e.queues.createSolutionDlq}`);
  log(`  accept failures  ${e.queues.acceptSolutionFailures}`);
  log(`  share failures   ${e.queues.shareCreditFailures}`);
  log(`  accept wake-ups  ${e.queues.acceptSolutionWake}`);
  log(`  share wake-ups   ${e.queues.shareCreditWake}`);
  log(`  wake DLQ         ${e.queues.wakeDlq}`);
  log(`Secrets Manager  ${e.secretsManager}`);
  log(`Graph API        ${e.graph}${runtime.graphSimulator ? ' (simulator)' : ''}`);
  log(`Onboarding page  ${e.http}/`);
  log(`Meta webhooks    ${e.webhook}${runtime.graphSimulator ? ' (the simulator is subscribed)' : ''}`);
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
  // The daily client discovery, now (`kill -USR2 <pid>`, the pid in runtime.json): no need to wait a day.
  process.on('SIGUSR2', () => {
    log('SIGUSR2: one client discovery pass');
    runtime.discoverClients().then(
      () => log('client discovery pass done'),
      (error: unknown) => log(`client discovery pass failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
