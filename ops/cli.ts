import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { parseClientStatuses, parseLimit, parseRecordId, parseSince, parseStatuses } from './args';
import { clientsCommand } from './commands/clients';
import { creditLineCommand } from './commands/credit-line';
import { deactivationCommand } from './commands/deactivation';
import { listCommand } from './commands/list';
import { redriveCommand } from './commands/redrive';
import { retryCommand } from './commands/retry';
import { showCommand } from './commands/show';
import { statsCommand } from './commands/stats';
import type { CommandResult } from './format';
import { asOpsError, EXIT, OpsError } from './ops-error';
import { resolveTarget, type OpsTarget } from './target';

const USAGE = `usage: npm run ops -- <command> [options]   (or: npx mps-ops <command> [options])

  list [--status S[,S…]] [--app ID] [--onboarding ID] [--since T] [--limit N] [--after CURSOR]
                                    solutions, newest change first, a page at a time
  show <onboardingId|solutionId|appId|wabaId>
                                    the onboardings it concerns, each solution with its timeline;
                                    for a WABA, each of its client records with its timeline
  stats [--since T]                 counts by status over a window (default 24h), the oldest
                                    item of each unsettled status, the parked queues' depths;
                                    clients by status, each app's new clients in 7 days
                                    against the weekly limit (WEEKLY_CLIENT_LIMIT)
  retry <id…> | --status S [--limit N] [--dry-run]
                                    re-drive failed or waiting solutions through the pipeline;
                                    a WABA ID: its CREDIT_FAILED or NOT_SHARED clients' sharing
  redrive [--only create|accept] [--dry-run]
                                    the create DLQ back to its queue; the accept on-failure
                                    queue's batches re-driven
  deactivation accept|reject <solutionId>
                                    answer a Tech Provider's deactivation request
  clients [--solution ID] [--status S[,S…]] [--since T] [--limit N]
                                    clients onboarded through our solutions (default 50),
                                    newest change first: WABA, owner, credit state, error
  credit-line                       our business's credit lines on Graph (BUSINESS_ID), to
                                    choose CREDIT_LINE_ID

target: the local runtime of DATA_DIR (default .data) unless --stack NAME, or --table NAME with
        --queue URL, --dlq URL, --failure-queue URL (AWS credentials and region: standard chain)
--json: one JSON document on stdout.  T: 90m, 6h, 7d, or a time such as 2026-11-28T10:00:00Z
exit codes: 0 done; 1 failed or done in part; 2 usage, target or AWS access error; 3 ID not found`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  stack: { type: 'string' },
  table: { type: 'string' },
  queue: { type: 'string' },
  dlq: { type: 'string' },
  'failure-queue': { type: 'string' },
  status: { type: 'string', multiple: true },
  app: { type: 'string' },
  onboarding: { type: 'string' },
  solution: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  only: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} as const satisfies ParseArgsOptionsConfig;

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: dashValuesAttached(argv), allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // parseArgs explains over several lines: the CLI reports one.
    throw OpsError.usage(`${(error as Error).message.split('\n').join(' ')} (see --help)`);
  }
}

const isOption = (arg: string) =>
  arg === '--' || Object.entries(OPTIONS).some(([name, option]) => arg === `--${name}` || arg.startsWith(`--${name}=`) || ('short' in option && arg === `-${option.short}`));

/**
 * `--since -5m` as `--since=-5m`: parseArgs refuses a value starting with a dash as ambiguous, so
 * one that is none of our options goes to the option, whose own check says what it accepts.
 */
function dashValuesAttached(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (arg === '--') return [...args, ...argv.slice(i)];
    const takesValue = name !== undefined && name in OPTIONS && OPTIONS[name as keyof typeof OPTIONS].type === 'string';
    if (takesValue && next?.startsWith('-') && !isOption(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return args;
}

type Args = ReturnType<typeof parse>;
const clock = () => new Date();

function expectArgs(args: string[], count: number, what: string): void {
  if (args.length !== count) throw OpsError.usage(`${what} (see --help)`);
}

async function run(command: string | undefined, args: string[], values: Args['values'], target: () => Promise<OpsTarget>): Promise<CommandResult> {
  switch (command) {
    case 'list': {
      expectArgs(args, 0, 'list takes no arguments: filter with --status, --app, --onboarding, --since');
      const options = {
        statuses: parseStatuses(values.status),
        ...(values.app ? { appId: parseRecordId(values.app).id } : {}),
        ...(values.onboarding ? { onboardingId: parseRecordId(values.onboarding).id } : {}),
        ...(values.since ? { since: parseSince(values.since, clock()) } : {}),
        limit: parseLimit(values.limit, 20, 1000),
        ...(values.after ? { after: values.after } : {}),
      };
      return listCommand((await target()).store, options);
    }
    case 'show':
      expectArgs(args, 1, 'show takes one ID: an onboarding ID, a solution ID or an app ID');
      return showCommand(await target(), parseRecordId(args[0]!));
    case 'stats': {
      expectArgs(args, 0, 'stats takes no arguments');
      // A bad --since is a usage error whether or not the target answers.
      const since = parseSince(values.since ?? '24h', clock());
      return statsCommand(await target(), since, clock());
    }
    case 'retry': {
      const statuses = parseStatuses(values.status);
      if (args.length === 0 && !statuses) throw OpsError.usage('retry needs IDs or --status (see --help)');
      const ids = args.map(parseRecordId);
      return retryCommand(await target(), { ids, ...(statuses ? { statuses } : {}), limit: parseLimit(values.limit, 100, 1000), dryRun: values['dry-run'] }, clock);
    }
    case 'redrive': {
      expectArgs(args, 0, 'redrive takes no arguments');
      const only = values.only;
      if (only !== undefined && only !== 'create' && only !== 'accept') throw OpsError.usage('--only create or --only accept');
      return redriveCommand(await target(), { dryRun: values['dry-run'], ...(only ? { only } : {}) }, clock);
    }
    case 'deactivation': {
      const [decision, solutionId] = args;
      if ((decision !== 'accept' && decision !== 'reject') || args.length !== 2 || !/^\d+$/.test(solutionId ?? '')) throw OpsError.usage('usage: deactivation accept|reject <solutionId>');
      return deactivationCommand(await target(), decision, solutionId!, clock);
    }
    case 'clients': {
      expectArgs(args, 0, 'clients takes no arguments: filter with --solution, --status, --since');
      const solution = values.solution === undefined ? undefined : parseRecordId(values.solution);
      if (solution && solution.kind !== 'numeric') throw OpsError.usage(`--solution ${values.solution}: a solution ID (digits)`);
      const statuses = parseClientStatuses(values.status);
      const options = {
        ...(solution ? { solutionId: solution.id } : {}),
        ...(statuses ? { statuses } : {}),
        ...(values.since ? { since: parseSince(values.since, clock()) } : {}),
        limit: parseLimit(values.limit, 50, 1000),
      };
      return clientsCommand((await target()).clients, options);
    }
    case 'credit-line':
      expectArgs(args, 0, 'credit-line takes no arguments');
      return creditLineCommand(await target());
    default:
      throw OpsError.usage(`${command ? `unknown command ${command}` : 'no command given'}: list, show, stats, retry, redrive, deactivation, clients or credit-line (see --help)`);
  }
}

let target: OpsTarget | undefined;
try {
  const { positionals, values } = parse(process.argv.slice(2));
  if (values.help) {
    console.log(USAGE);
  } else {
    const [command, ...args] = positionals;
    const result = await run(command, args, values, async () => (target = await resolveTarget(values, process.env)));
    console.log(values.json ? JSON.stringify(result.data, null, 2) : result.lines.join('\n'));
    process.exitCode = result.exitCode;
  }
} catch (error) {
  const failure = asOpsError(error, target?.name ?? 'the target');
  console.error(`mps-ops: ${failure.message}`);
  process.exitCode = failure.exitCode;
} finally {
  target?.destroy();
}
if (process.exitCode === undefined) process.exitCode = EXIT.ok;
