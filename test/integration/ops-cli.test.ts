import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { PipelineDriver } from '../support/pipeline-driver';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';
import { runOps } from '../support/ops-cli';

/**
 * The ops CLI, run as a child process as ops runs it, against a local runtime after a scripted set of
 * onboardings with injected failures: one accepted (two apps), one whose accept Graph refused for
 * good, one whose create was abandoned with its message parked in the DLQ. The runtime reconciles
 * every second and parks a create message after two receives, as in nothing-strands.test.ts.
 * Assertions are on the CLI's output and exit codes, and on the records, queues and simulator after it.
 */
let runtime: RuntimeProcess;
let pipeline: PipelineDriver;
// Each command is a Node process of its own (about 1.5 s to load); a test runs a few.
jest.setTimeout(60_000);
const ids = { accepted: '', refused: '', abandoned: '' };
const apps = { accepted: [] as string[], refused: '', abandoned: '' };
/** The Tech Provider's token the abandoned create message carries. */
let abandonedToken = '';

const transientError = { type: 'error' as const, status: 503, code: 2, isTransient: true, message: 'Service temporarily unavailable' };
const ops = (...args: string[]) => runOps(args, { DATA_DIR: runtime.dataDir });
const opsJson = async (...args: string[]) => {
  const run = await ops(...args, '--json');
  if (run.code !== 0) throw new Error(`ops ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, any>;
};

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { RECONCILE_INTERVAL_SECONDS: '1' }, args: ['-c', 'createMaxReceiveCount=2'] });
  pipeline = new PipelineDriver(runtime);
  apps.accepted = await pipeline.techProvider('801', 2);
  [apps.refused] = (await pipeline.techProvider('802', 1)) as [string];
  [apps.abandoned] = (await pipeline.techProvider('803', 1)) as [string];

  // Refused: Graph refuses the accept for good (a permission error), so it ends ACCEPT_FAILED.
  await pipeline.addFault({ operation: 'accept_solution', times: 1, effect: { type: 'error', status: 400, code: 200, message: '(#200) Permissions error' } });
  ids.refused = await pipeline.start(await pipeline.login([apps.refused], '802'));
  await pipeline.settled(ids.refused, ['ACCEPT_FAILED'], 60_000);
  // Abandoned: its create is throttled, then every listing fails until its two receives are used up.
  await pipeline.addFault({ operation: 'create_solution', objectId: apps.abandoned, times: 1, effect: { type: 'error', status: 400, code: 4, message: '(#4) Application request limit reached' } });
  await pipeline.addFault({ operation: 'list_solutions', objectId: apps.abandoned, effect: transientError });
  abandonedToken = await pipeline.login([apps.abandoned], '803');
  ids.abandoned = await pipeline.start(abandonedToken);
  ids.accepted = await pipeline.start(await pipeline.login(apps.accepted, '801'));
  await pipeline.settled(ids.accepted, ['ACCEPTED'], 60_000);
  await pipeline.settled(ids.abandoned, ['CREATE_FAILED'], 120_000);
  await pipeline.waitUntil('the abandoned message in the DLQ', async () => ((await pipeline.queueDepth(runtime.endpoints.queues.createSolutionDlq)) === 1 ? true : undefined), 30_000);
  await pipeline.clearControls();
}, 240_000);

afterAll(async () => {
  pipeline?.destroy();
  await runtime?.stop();
});

describe('what happened?', () => {
  test('list: a table of solutions, newest change first; --json for scripts; each filter one query', async () => {
    const table = await ops('list');
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^UPDATED\s+STATUS\s+ONBOARDING\s+APP\s+SOLUTION\s+TRIES\s+ERROR$/);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.includes(ids.refused))).toMatch(/ACCEPT_FAILED .*code 200 \(#200\) Permissions error/);
    expect(rows.find((r) => r.includes(ids.abandoned))).toMatch(/CREATE_FAILED .*CREATE_ABANDONED: code 2/);

    const all = (await opsJson('list')).items as Record<string, any>[];
    expect(all.map((i) => i.updatedAt)).toEqual([...all.map((i) => i.updatedAt)].sort().reverse());
    expect(all.map((i) => i.status).sort()).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPT_FAILED', 'CREATE_FAILED']);
    // Lists carry no timeline and nothing of the token.
    for (const item of all) {
      expect(item).not.toHaveProperty('history');
      expect(item).not.toHaveProperty('tokenFingerprint');
    }

    expect((await opsJson('list', '--status', 'ACCEPT_FAILED')).items).toEqual([expect.objectContaining({ onboardingId: ids.refused, appId: apps.refused, lastError: expect.objectContaining({ code: 200 }) })]);
    expect((await opsJson('list', '--app', apps.accepted[1]!)).items).toEqual([expect.objectContaining({ onboardingId: ids.accepted, status: 'ACCEPTED' })]);
    expect((await opsJson('list', '--onboarding', ids.accepted, '--status', 'ACCEPTED,CREATED')).items).toHaveLength(2);
    // --since keeps what changed at or after it: the refused item, not before its last change.
    const refused = all.find((i) => i.onboardingId === ids.refused)!;
    const justAfter = new Date(Date.parse(refused.updatedAt) + 1).toISOString();
    expect((await opsJson('list', '--status', 'ACCEPT_FAILED', '--since', refused.updatedAt)).items).toHaveLength(1);
    expect((await opsJson('list', '--status', 'ACCEPT_FAILED', '--since', justAfter)).items).toEqual([]);
  });

  test('list pages with --limit and --after: every solution once, in order', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 6; page++) {
      const result = await opsJson('list', '--limit', '1', ...(after ? ['--after', after] : []));
      seen.push(...result.items.map((i: Record<string, string>) => `${i.onboardingId}/${i.appId}`));
      after = result.next;
      if (!after) break;
    }
    const everyOne = ((await opsJson('list')).items as Record<string, string>[]).map((i) => `${i.onboardingId}/${i.appId}`);
    expect(seen).toEqual(everyOne);
    const bad = await ops('list', '--after', 'not-a-cursor');
    expect([bad.code, bad.stderr]).toEqual([2, 'mps-ops: --after: not a cursor this command printed\n']);
  });

  test('show: each solution with its timeline, times, attempts and errors; by onboarding, solution or app ID', async () => {
    const abandoned = await opsJson('show', ids.abandoned);
    expect(abandoned).toMatchObject({ kind: 'onboarding', onboardings: [{ onboardingId: ids.abandoned, status: 'FAILED' }] });
    expect(abandoned.onboardings[0]).not.toHaveProperty('tokenFingerprint');
    const history = abandoned.onboardings[0].solutions[0].history as Record<string, any>[];
    expect(history.map((h) => h.status)).toEqual(['PENDING', 'CREATING', 'CREATING', 'CREATING', 'CREATING', 'CREATE_FAILED']);
    expect(history[2]).toMatchObject({ attempt: 1, error: { code: 4 }, note: expect.stringMatching(/^retry at /) });
    expect(history.at(-1)).toMatchObject({ attempt: 2, error: { code: 2, reason: 'CREATE_ABANDONED' } });
    for (const [i, entry] of history.entries()) expect(entry.at >= (history[i - 1]?.at ?? '')).toBe(true);

    const refusedItem = (await opsJson('list', '--onboarding', ids.refused)).items[0];
    const bySolution = await ops('show', refusedItem.solutionId);
    expect(bySolution.code).toBe(0);
    expect(bySolution.stdout).toContain(`app ${apps.refused} "app_802_0": ACCEPT_FAILED, solution ${refusedItem.solutionId}`);
    expect(bySolution.stdout).toMatch(/timeline:\n.* PENDING .*\n.* CREATING .*claimed\n.* CREATED .*attempt 1 .*\n.* ACCEPT_FAILED .*attempt 1 .*code 200 \(#200\) Permissions error/);
    const byApp = await opsJson('show', apps.accepted[0]!);
    expect(byApp).toMatchObject({ kind: 'app', onboardings: [{ onboardingId: ids.accepted, solutions: [{ appId: apps.accepted[0], status: 'ACCEPTED' }] }] });
  });

  test('stats: counts by status over the window, the oldest unsettled item, the parked queues', async () => {
    const stats = await opsJson('stats', '--since', '1h');
    const changed = Object.fromEntries((stats.statuses as { status: string; changed: number }[]).map((s) => [s.status, s.changed]));
    expect(changed).toMatchObject({ ACCEPTED: 2, ACCEPT_FAILED: 1, CREATE_FAILED: 1, PENDING: 0, CREATED: 0 });
    expect(stats.parked).toEqual({ createDlq: 1, acceptFailures: 0 });
    const table = await ops('stats');
    expect(table.stdout).toMatch(/^ACCEPT_FAILED\s+1\s*$/m);
    expect(table.stdout).toContain('Create DLQ: 1 message(s)');
  });

  test('an unknown ID: exit 3 and one line on stderr; a malformed one: exit 2', async () => {
    await expect(ops('show', '999000999000')).resolves.toEqual({ code: 3, stdout: '', stderr: 'mps-ops: no solution, app or WABA 999000999000 in this table\n' });
    await expect(ops('show', '00000000-0000-4000-8000-000000000000')).resolves.toMatchObject({ code: 3, stderr: 'mps-ops: no onboarding 00000000-0000-4000-8000-000000000000 in this table\n' });
    await expect(ops('retry', '999000999000')).resolves.toMatchObject({ code: 3 });
    await expect(ops('show', 'DROP TABLE')).resolves.toMatchObject({ code: 2, stderr: expect.stringMatching(/^mps-ops: DROP TABLE: not an onboarding ID/) });
    await expect(ops('list', '--status', 'LOST')).resolves.toMatchObject({ code: 2, stderr: expect.stringContaining('--status LOST: one of PENDING, CREATING') });
  });
});

describe('clients', () => {
  test('clients lists them, show <wabaId> gives each record with its timeline, retry <wabaId> makes a failed one NEW, stats counts them per app', async () => {
    const [item] = await pipeline.solutionItems(ids.accepted);
    const solutionId = item!.solutionId as string;
    // Two businesses onboard through the accepted solution (the simulator's Embedded Signup and its
    // webhooks): Graph refuses the first one's share for good, the second is shared.
    await pipeline.addFault({ operation: 'share_credit_line', times: 1, effect: { type: 'error', status: 403, code: 200, message: '(#200) Permissions error' } });
    const onboard = () => pipeline.simulator<{ waba: { id: string }; business: { id: string } }>('POST', '/__sim/clients', { solutionId, events: 'added' });
    const failed = await onboard();
    const clientIn = (wabaId: string, status: string) => pipeline.waitUntil(`client ${wabaId} ${status}`, async () => ((await pipeline.clientItem(solutionId, wabaId))?.status === status ? true : undefined), 30_000);
    await clientIn(failed.waba.id, 'CREDIT_FAILED');
    const shared = await onboard();
    await clientIn(shared.waba.id, 'CREDIT_SHARED');

    const listed = await ops('clients', '--status', 'CREDIT_FAILED');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`CREDIT_FAILED\\s+${failed.waba.id}\\s+${solutionId}\\s+${failed.business.id}\\s+-\\s+1\\s+GRAPH_REFUSED: code 200`));
    // Newest change first: the shared one changed last.
    expect((await opsJson('clients', '--solution', solutionId)).items.map((c: { wabaId: string }) => c.wabaId)).toEqual([shared.waba.id, failed.waba.id]);
    await expect(ops('clients', '--status', 'ACCEPTED')).resolves.toMatchObject({ code: 2, stderr: expect.stringContaining('--status ACCEPTED: one of NEW, SHARING') });

    const shown = await ops('show', failed.waba.id);
    expect(shown.stdout).toMatch(/timeline:\n.* NEW .*\n.* SHARING .*claimed\n.* CREDIT_FAILED .*attempt 1 .*GRAPH_REFUSED: code 200/);

    const retried = await ops('retry', failed.waba.id);
    expect([retried.code, retried.stdout]).toEqual([0, expect.stringContaining('credit sharing retried: NEW again')]);
    // The stream hands it to the share worker, which shares it this time.
    await clientIn(failed.waba.id, 'CREDIT_SHARED');
    const notAgain = await ops('retry', shared.waba.id);
    expect([notAgain.code, notAgain.stdout]).toEqual([1, expect.stringContaining('not retried: it is CREDIT_SHARED; only CREDIT_FAILED or NOT_SHARED clients are retried')]);

    const stats = await opsJson('stats');
    expect(stats.weeklyClients).toContainEqual({ appId: item!.appId, newClients: 2, limit: 200, percent: 1, nearLimit: false });
    expect(stats.clients).toContainEqual({ status: 'CREDIT_SHARED', clients: 2 });
  });
});

describe('repair', () => {
  test('retry turns ACCEPT_FAILED into ACCEPTED through the stream; a solution with nothing to retry is said so, exit 1', async () => {
    const [item] = await pipeline.solutionItems(ids.refused);
    const dryRun = await ops('retry', item!.solutionId, '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('accept would be retried');
    expect((await pipeline.solutionItems(ids.refused))[0]).toMatchObject({ status: 'ACCEPT_FAILED' });

    const retried = await ops('retry', item!.solutionId);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/ACCEPT_FAILED\s+accept retried: CREATED again, the stream hands it to the accept worker/);
    const [accepted] = await pipeline.settled(ids.refused, ['ACCEPTED'], 30_000);
    expect(accepted).not.toHaveProperty('lastError');
    const accepts = (await pipeline.requests()).filter((r) => r.method === 'POST' && r.path === `/${item!.solutionId}/accept`);
    expect(accepts.map((r) => r.status)).toEqual([400, 200]);
    expect((accepted!.history as { status: string; by: string }[]).slice(-3)).toEqual([
      expect.objectContaining({ status: 'ACCEPT_FAILED', by: 'pipeline' }),
      expect.objectContaining({ status: 'CREATED', by: 'ops', note: 'accept retried' }),
      // The accept's own write, or Meta's ACTIVE webhook when it lands first (the accept's write then finds it moved on).
      expect.objectContaining({ status: 'ACCEPTED', by: expect.stringMatching(/^(pipeline|webhook)$/) }),
    ]);

    const again = await ops('retry', item!.solutionId, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).results).toEqual([expect.objectContaining({ status: 'ACCEPTED', result: expect.objectContaining({ outcome: 'not-retried', reason: 'NOTHING_TO_RETRY' }) })]);
  }, 60_000);

  test('redrive empties the create DLQ: the abandoned solution is reopened, created once and accepted', async () => {
    const dlq = runtime.endpoints.queues.createSolutionDlq;
    const dryRun = await opsJson('redrive', '--dry-run');
    expect(JSON.stringify(dryRun)).not.toContain(abandonedToken.slice(0, 8));
    expect(dryRun.messages).toEqual([expect.objectContaining({ queue: 'create DLQ', onboardingId: ids.abandoned, appId: apps.abandoned, action: 'recreated' })]);
    expect(await pipeline.queueDepth(dlq)).toBe(1);
    expect((await pipeline.solutionItems(ids.abandoned))[0]).toMatchObject({ status: 'CREATE_FAILED' });

    const redrive = await ops('redrive');
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain('1 handled, 0 left parked.');
    // The command moved the message's token, and printed nothing of it.
    expect(redrive.stdout + redrive.stderr).not.toContain(abandonedToken.slice(0, 8));
    expect(await pipeline.queueDepth(dlq)).toBe(0);

    const [created] = await pipeline.settled(ids.abandoned, ['ACCEPTED'], 60_000);
    const onGraph = (await pipeline.solutions()).filter((s) => s.ownerApp.id === apps.abandoned);
    expect(onGraph.map((s) => s.id)).toEqual([created!.solutionId]);
    expect(created!.attempts).toBe(3);
    expect(await pipeline.queueDepth(dlq)).toBe(0);
    const nothingLeft = await ops('redrive');
    expect([nothingLeft.code, nothingLeft.stdout.trim()]).toEqual([0, 'Nothing parked: the create DLQ and the accept on-failure queue are empty.']);
  }, 90_000);
  test('redrive of the accept on-failure queue reads the batch back from the stream and makes its waiting solution due now', async () => {
    const [appId] = (await pipeline.techProvider('804', 1)) as [string];
    const outage = await pipeline.addFault({ operation: 'accept_solution', effect: transientError });
    const onboardingId = await pipeline.start(await pipeline.login([appId], '804'));
    // Its accept fails and waits for a retry; then, as if Graph had asked for an hour two minutes ago
    // (past the accept lease), its next attempt is an hour away.
    const waiting = await pipeline.waitUntil('a failed accept waiting', async () => {
      const [item] = await pipeline.solutionItems(onboardingId);
      if (!item || !(item.acceptAttempts >= 1) || !item.lastError) return undefined;
      const hourAway = new Date(Date.now() + 3_600_000).toISOString();
      const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
      try {
        // Only between attempts: a claim in flight moves nextAttemptAt to its lease.
        await pipeline.db.send(
          new UpdateCommand({
            TableName: runtime.endpoints.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET nextAttemptAt = :hour, updatedAt = :before',
            ConditionExpression: 'nextAttemptAt = :seen AND acceptAttempts = :attempts',
            ExpressionAttributeValues: { ':hour': hourAway, ':before': twoMinutesAgo, ':seen': item.nextAttemptAt, ':attempts': item.acceptAttempts },
          }),
        );
      } catch {
        return undefined;
      }
      return item;
    }, 30_000);
    await pipeline.simulator('DELETE', `/__sim/faults/${outage.id}`);

    // What Lambda sends the on-failure destination for the batch that held its transition into CREATED.
    const record = await streamRecordInto(onboardingId, 'CREATED');
    await pipeline.send(
      runtime.endpoints.queues.acceptSolutionFailures,
      JSON.stringify({ version: '1.0', DDBStreamBatchInfo: { shardId: record.shardId, startSequenceNumber: record.sequenceNumber, endSequenceNumber: record.sequenceNumber, streamArn: record.streamArn, batchSize: 1 } }),
    );
    const redrive = await ops('redrive', '--only', 'accept');
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toMatch(new RegExp(`accept on-failure .* ${onboardingId}\\s+${appId}\\s+CREATED\\s+accept due now: the reconciler's next pass accepts it`));
    expect(await pipeline.queueDepth(runtime.endpoints.queues.acceptSolutionFailures)).toBe(0);
    const [accepted] = await pipeline.settled(onboardingId, ['ACCEPTED'], 20_000);
    expect(accepted!.acceptAttempts).toBeGreaterThan(waiting.acceptAttempts);
  }, 90_000);
});

/** The table stream's record of an item of `onboardingId` entering `status`: where it is on the stream. */
async function streamRecordInto(onboardingId: string, status: string) {
  const found = (await pipeline.streamRecords()).find(({ record: r }) => r.dynamodb?.NewImage?.pk?.S === `ONBOARDING#${onboardingId}` && r.dynamodb.NewImage.status?.S === status && r.dynamodb.OldImage?.status?.S !== status);
  if (!found) throw new Error(`no stream record of ${onboardingId} entering ${status}`);
  return { streamArn: found.streamArn, shardId: found.shardId, sequenceNumber: found.record.dynamodb!.SequenceNumber! };
}

describe('targets', () => {
  /** A stand-in for CloudFormation's DescribeStacks (the AWS Query protocol): one stack, whose outputs name the local runtime's table and queues. */
  let cloudFormation: Server;
  let cloudFormationUrl: string;
  beforeAll(async () => {
    const { tableName, queues } = runtime.endpoints;
    const outputs = { TableName: tableName, CreateQueueUrl: queues.createSolution, CreateDlqUrl: queues.createSolutionDlq, AcceptFailureQueueUrl: queues.acceptSolutionFailures };
    cloudFormation = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const stack = new URLSearchParams(body).get('StackName');
        const error = (status: number, code: string, message: string) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`);
        };
        if (stack === 'Denied') return error(403, 'AccessDenied', 'User: arn:aws:iam::111122223333:user/ops is not authorized to perform: cloudformation:DescribeStacks');
        if (stack !== 'MpsOnboarding') return error(400, 'ValidationError', `Stack with id ${stack} does not exist`);
        const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>MpsOnboarding</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-28T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => cloudFormation.listen(0, '127.0.0.1', resolve));
    cloudFormationUrl = `http://127.0.0.1:${(cloudFormation.address() as { port: number }).port}`;
  });
  afterAll(() => {
    cloudFormation.closeAllConnections();
    return new Promise((resolve) => cloudFormation.close(resolve));
  });

  const aws = (credentials: boolean) => ({
    DATA_DIR: undefined,
    AWS_REGION: runtime.endpoints.region,
    AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormationUrl,
    AWS_ENDPOINT_URL_DYNAMODB: runtime.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: runtime.endpoints.sqs,
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_ACCESS_KEY_ID: credentials ? 'local' : undefined,
    AWS_SECRET_ACCESS_KEY: credentials ? 'local' : undefined,
    // No other source of credentials: no files, no instance metadata.
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  test('--stack reads the stack’s outputs: the same records and queues as the local target', async () => {
    const viaStack = await runOps(['list', '--stack', 'MpsOnboarding', '--json'], aws(true));
    expect(viaStack.code).toBe(0);
    expect(JSON.parse(viaStack.stdout)).toEqual(await opsJson('list'));
    const stats = await runOps(['stats', '--stack', 'MpsOnboarding', '--json'], aws(true));
    expect(JSON.parse(stats.stdout).parked).toEqual({ createDlq: 0, acceptFailures: 0 });
    const viaTable = await runOps(['show', ids.accepted, '--table', runtime.endpoints.tableName, '--json'], aws(true));
    expect(JSON.parse(viaTable.stdout).onboardings[0].onboardingId).toBe(ids.accepted);
  });

  test('a wrong stack, a missing permission, missing credentials, no local runtime: one line each, exit 2', async () => {
    await expect(runOps(['list', '--stack', 'Nope'], aws(true))).resolves.toEqual({
      code: 2,
      stdout: '',
      stderr: `mps-ops: stack Nope not found in region ${runtime.endpoints.region} (check --stack, and AWS_REGION or your profile's region)\n`,
    });
    await expect(runOps(['list', '--stack', 'Denied'], aws(true))).resolves.toEqual({
      code: 2,
      stdout: '',
      stderr: 'mps-ops: not allowed on the target: User: arn:aws:iam::111122223333:user/ops is not authorized to perform: cloudformation:DescribeStacks\n',
    });
    const noCredentials = await runOps(['list', '--stack', 'MpsOnboarding'], aws(false));
    expect(noCredentials).toMatchObject({ code: 2, stdout: '' });
    expect(noCredentials.stderr).toMatch(/^mps-ops: no AWS credentials found: set AWS_PROFILE .*\n$/);
    const empty = mkdtempSync(join(tmpdir(), 'mps-no-runtime-'));
    try {
      await expect(runOps(['stats'], { DATA_DIR: empty })).resolves.toMatchObject({ code: 2, stderr: expect.stringMatching(/^mps-ops: no local runtime found in .*\n$/) });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
