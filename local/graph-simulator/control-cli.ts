import { parseArgs } from 'node:util';
import { readRuntimeFile } from '../runtime/runtime-file';

/**
 * `npm run sim -- <command>`: drives the Graph simulator of a running `npm start` (found through
 * DATA_DIR/runtime.json) or the one at GRAPH_SIM_URL.
 *
 *   fault '<rule JSON>'            e.g. '{"operation":"create_solution","objectId":"634974688087057","times":2,
 *                                        "effect":{"type":"error","status":503,"code":2,"isTransient":true}}'
 *   faults                         list the rules still armed          clear-faults   remove them all
 *   latency <fixedMs> [jitterMs]   answer every call that much later
 *   hourly-limit <app|user|business> <callsPerHour> [timeFactor]   Graph's shape: an allowance per rolling hour, usage
 *                                  in percent; timeFactor makes an hour last 3600/timeFactor s (repeatable: separate with commas)
 *   rate-limit <app|user|business> <maxCalls> <windowSeconds>   a stress window (repeatable: separate the triples with commas)
 *   paging <maxPageSize>                                       items per listing page (the simulator pages at 2 by default)
 *   token <appId,...>              a Tech Provider login without a browser (prints the authResponse)
 *   requests | solutions           what the simulator saw and holds
 *   reset                          back to the seed (which also drops the webhook subscription)
 *
 * Webhooks and what Meta or the Tech Provider do to a solution:
 *   webhooks                       the subscription and the delivery log
 *   subscribe <callbackUrl> [verifyToken]   the handshake, then the subscription    unsubscribe
 *   reject | request-deactivation | deactivate <solutionId>   change a solution (a webhook follows)
 *   resend-webhook [index] [--bad-signature]                   an earlier delivery's bytes again (default the last)
 *   send-webhook <solutionId> <status> [unixTime] [--bad-signature]   a SOLUTION_UPDATED of your own
 *
 * Clients onboarded through a solution (account_update webhooks to our callback):
 *   client <solutionId> [--events added|installed|both] [--repeat] [--reverse] [--no-webhook] [--funded-by-other]
 *                                  a client completes Embedded Signup with an ACTIVE solution; options left out are
 *                                  drawn at random (PARTNER_ADDED and/or PARTNER_APP_INSTALLED, repeated, either order)
 *   remove-client <wabaId>         the client unshares the WABA with us (PARTNER_REMOVED)
 *   uninstall-app <wabaId>         the client removes our app (PARTNER_APP_UNINSTALLED)
 *   clients                        the client WABAs the simulator holds
 *   access-token-shape <reference|guide>   how GET /{solution}/access_token answers ({access_token, expires_at} or {data: [{access_token}]})
 *
 *   help | --help | -h             this usage (on stdout, exit 0); a command or option it does not know: exit 2
 */
const USAGE = [
  'usage: npm run sim -- help | fault <json> | faults | clear-faults | latency <ms> [jitter] | hourly-limit <scope> <perHour> [factor][,…] | rate-limit <scope> <max> <window>[,…] | paging <maxPageSize> | token <appIds> | requests | solutions | reset',
  '       npm run sim -- webhooks | subscribe <callbackUrl> [verifyToken] | unsubscribe | reject|request-deactivation|deactivate <solutionId>',
  '       npm run sim -- resend-webhook [index] [--bad-signature] | send-webhook <solutionId> <status> [unixTime] [--bad-signature]',
  '       npm run sim -- client <solutionId> [--events added|installed|both] [--repeat] [--reverse] [--no-webhook] [--funded-by-other]',
  '       npm run sim -- remove-client <wabaId> | uninstall-app <wabaId> | clients | access-token-shape <reference|guide>',
].join('\n');

const { positionals, values } = parse();
if (values.help || positionals[0] === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const badSignature = values['bad-signature'];
const [command, ...args] = positionals;
const base = process.env.GRAPH_SIM_URL ?? readRuntimeFile(process.env.DATA_DIR ?? '.data')?.graph;
if (!base) {
  console.error('No simulator found: start one with `npm start` (or set GRAPH_SIM_URL).');
  process.exit(2);
}

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (text) console.log(text);
  if (!response.ok) process.exitCode = 1;
}

/** Comma-separated limits, each its words: scope, then the numbers `fields` names (a missing one stays out). */
function rateLimits(spec: string, fields: string[]) {
  return spec.split(',').map((limit) => {
    const [scope, ...numbers] = limit.trim().split(/\s+/);
    return { scope, ...Object.fromEntries(fields.flatMap((field, i) => (numbers[i] === undefined ? [] : [[field, Number(numbers[i])]]))) };
  });
}

switch (command) {
  case 'fault':
    await call('POST', '/__sim/faults', JSON.parse(args[0] ?? '{}'));
    break;
  case 'faults':
    await call('GET', '/__sim/faults');
    break;
  case 'clear-faults':
    await call('DELETE', '/__sim/faults');
    break;
  case 'latency':
    await call('PUT', '/__sim/latency', { fixedMs: Number(args[0] ?? 0), jitterMs: Number(args[1] ?? 0) });
    break;
  case 'hourly-limit':
    await call('PUT', '/__sim/rate-limits', rateLimits(args.join(' '), ['callsPerHour', 'timeFactor']));
    break;
  case 'rate-limit':
    await call('PUT', '/__sim/rate-limits', rateLimits(args.join(' '), ['maxCalls', 'windowSeconds']));
    break;
  case 'paging':
    await call('PUT', '/__sim/paging', { maxPageSize: Number(args[0]) });
    break;
  case 'token':
    await call('POST', '/__sim/tokens', { appIds: (args[0] ?? '').split(',').filter(Boolean) });
    break;
  case 'requests':
  case 'solutions':
    await call('GET', `/__sim/${command}`);
    break;
  case 'reset':
    await call('POST', '/__sim/reset');
    break;
  case 'webhooks':
    await call('GET', '/__sim/webhooks');
    break;
  case 'subscribe':
    if (!args[0]) usage();
    await call('PUT', '/__sim/webhooks', { callbackUrl: args[0], ...(args[1] ? { verifyToken: args[1] } : {}) });
    break;
  case 'unsubscribe':
    await call('DELETE', '/__sim/webhooks');
    break;
  case 'reject':
  case 'request-deactivation':
  case 'deactivate':
    if (!args[0]) usage();
    await call('POST', `/__sim/solutions/${encodeURIComponent(args[0])}/${command}`);
    break;
  case 'resend-webhook':
    await call('POST', '/__sim/webhooks/resend', { ...(args[0] ? { index: Number(args[0]) } : {}), badSignature });
    break;
  case 'send-webhook':
    if (!args[0] || !args[1]) usage();
    await call('POST', '/__sim/webhooks/send', { solutionId: args[0], status: args[1], ...(args[2] ? { time: Number(args[2]) } : {}), badSignature });
    break;
  case 'client':
    if (!args[0]) usage();
    await call('POST', '/__sim/clients', {
      solutionId: args[0],
      ...(values.events ? { events: values.events } : {}),
      ...(values.repeat ? { repeat: true } : {}),
      ...(values.reverse ? { reverse: true } : {}),
      ...(values['no-webhook'] ? { noWebhook: true } : {}),
      ...(values['funded-by-other'] ? { fundedBy: 'other' } : {}),
    });
    break;
  case 'remove-client':
  case 'uninstall-app':
    if (!args[0]) usage();
    await call('POST', `/__sim/clients/${encodeURIComponent(args[0])}/${command === 'remove-client' ? 'remove' : 'uninstall-app'}`);
    break;
  case 'clients':
    await call('GET', '/__sim/clients');
    break;
  case 'access-token-shape':
    if (args[0] !== 'reference' && args[0] !== 'guide') usage();
    await call('PUT', '/__sim/access-token-shape', { shape: args[0] });
    break;
  default:
    usage();
}

function usage(): never {
  console.error(USAGE);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'bad-signature': { type: 'boolean', default: false },
        // No defaults: an onboarding option left out is drawn at random by the simulator.
        events: { type: 'string' },
        repeat: { type: 'boolean' },
        reverse: { type: 'boolean' },
        'no-webhook': { type: 'boolean' },
        'funded-by-other': { type: 'boolean' },
      },
    });
  } catch (error) {
    // parseArgs throws, with a stack, a paragraph whose first sentence names the option: that line and where the usage is.
    if (!(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
    console.error(`${(error as Error).message.split(/(?<=\.)\s|\n/)[0]} (usage: npm run sim -- --help)`);
    process.exit(2);
  }
}
