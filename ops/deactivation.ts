import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOpsConfig } from '../lambdas/config';
import { decideDeactivationRequest, type DeactivationDecision, type DeactivationDecisionOutcome } from '../lambdas/domain/deactivation-request';
import { GraphClient } from '../lambdas/graph/graph-client';
import { GraphError, type GraphErrorDetails } from '../lambdas/graph/graph-error';
import { OnboardingStore } from '../lambdas/store/onboarding-store';
import { SECRET_NAMES } from '../lib/pipeline-settings';
import { readRuntimeFile } from '../local/runtime/runtime-file';

/**
 * `npm run deactivation -- accept|reject <solutionId> [--table NAME] [--json]`: our answer to a Tech
 * Provider's request to deactivate a solution (the runbook's DeactivationRequestedAlarm), with the
 * system-user token from Secrets Manager; the records follow at once. Against the running
 * `npm start` (DATA_DIR/runtime.json) by default, or a deployed stack's table with `--table` (AWS
 * credentials and region from the standard chain; the secret by its stack name). The ops CLI will
 * absorb this command.
 *
 * Exit codes: 0 decided; 1 Graph refused (its error is printed, and the records are brought to where
 * the solution stands) or did not answer; 2 usage or target error; 3 no record holds the solution.
 */
const USAGE = 'usage: npm run deactivation -- accept|reject <solutionId> [--table NAME] [--json]';
// As for `npm start`: Node 20 is the local runtime only (Lambda runs Node 22), and the SDK is pinned.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const graphErrorText = (e: GraphErrorDetails) => `${e.message} (code ${e.code}${e.subcode ? `, subcode ${e.subcode}` : ''}${e.fbtraceId ? `, fbtrace_id ${e.fbtraceId}` : ''})`;

/** What Graph said to the decision, where the solution stands, and what the records did. */
function report(result: Exclude<DeactivationDecisionOutcome, { outcome: 'unknown-solution' }>): void {
  const decided = decision === 'accept' ? 'accepted' : 'rejected';
  if (result.outcome === 'refused') console.error(`Graph refused: ${graphErrorText(result.error)}`);
  else console.log(`Deactivation request of solution ${solutionId} ${decided}.`);
  const { after } = result;
  if ('failed' in after) {
    console.log(`Could not read the solution afterwards (${graphErrorText(after.failed)}): its records follow with Meta's webhook, or the reconciler's next read.`);
    return;
  }
  console.log(`On Graph it is now ${after.graphStatus}${after.pendingRequest && after.pendingRequest !== 'NONE' ? ` (${after.pendingRequest})` : ''}.`);
  const changes = after.result.outcome === 'applied' ? after.result.changes.filter((c) => c.from !== c.to) : [];
  for (const change of changes) console.log(`  onboarding ${change.onboardingId}, app ${change.appId}: ${change.from} → ${change.to}`);
  if (changes.length === 0) console.log('  Its records already show it.');
}

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { table: { type: 'string' }, json: { type: 'boolean', default: false } } });
const [decision, solutionId] = positionals;
if ((decision !== 'accept' && decision !== 'reject') || !solutionId || !/^\d+$/.test(solutionId) || positionals.length > 2) fail(2, USAGE);

/** Where the records, the secret and Graph are: the local runtime's endpoints, or a deployed stack's table. */
function target() {
  if (values.table) {
    // The stack's secret name; Graph as the functions call it unless GRAPH_API_* say otherwise.
    const config = loadOpsConfig({ ...process.env, TABLE_NAME: values.table, SYSTEM_USER_TOKEN_SECRET_ID: SECRET_NAMES.systemUserToken });
    return { config, dynamo: new DynamoDBClient({}), secrets: new SecretsManagerClient({}) };
  }
  const dataDir = process.env.DATA_DIR ?? '.data';
  const runtime = readRuntimeFile(dataDir);
  if (!runtime) fail(2, `No local runtime found in ${dataDir} (start one with \`npm start\`), and no --table given for a deployed stack.`);
  const local = { region: runtime.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return {
    // The reconciler's own environment, as the runtime recorded it: the same table, secret and Graph.
    config: loadOpsConfig(runtime.wiring.functions.reconcile.environment),
    dynamo: new DynamoDBClient({ ...local, endpoint: runtime.dynamodb }),
    secrets: new SecretsManagerClient({ ...local, endpoint: runtime.secretsManager }),
  };
}

const { config, dynamo, secrets } = target();
const store = new OnboardingStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), config.tableName);
const systemUserToken = async () => {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.systemUserTokenSecretId }));
  if (!SecretString) throw new Error(`secret ${config.systemUserTokenSecretId} is empty`);
  return SecretString;
};

try {
  const result = await decideDeactivationRequest(solutionId, decision as DeactivationDecision, { store, graph: new GraphClient(config.graph), systemUserToken, clock: () => new Date() });
  if (result.outcome === 'unknown-solution') fail(3, `No record holds solution ${solutionId}: not one of ours to decide on.`);
  if (values.json) console.log(JSON.stringify({ solutionId, decision, ...result }));
  else report(result);
  if (result.outcome === 'refused') process.exitCode = 1;
} catch (error) {
  // Graph gave no usable answer to the decision: it may or may not have been taken.
  if (error instanceof GraphError) {
    fail(1, `Graph did not answer (${graphErrorText(error.details)}): whether it took the decision is unknown. Run the command again: Graph refuses a decision already taken, and the records follow either way.`);
  }
  fail(1, `Failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  dynamo.destroy();
  secrets.destroy();
}
