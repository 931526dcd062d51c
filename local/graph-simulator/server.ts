import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleControlRequest } from './control-routes';
import { errors, type SimResponse } from './graph-errors';
import { faultResponse, SOLUTION_WRITES, type GraphOperation, type SimulatorControls } from './controls';
import { graphOperation, handleGraphRequest, type GraphRequest } from './graph-routes';
import { DEFAULT_SEED, GraphSimulatorState, type SimRequest, type SimToken, type SimulatorSeed } from './state';
import { loopbackRefusal, namesLoopback } from '../runtime/loopback-host';

export interface GraphSimulator {
  url: string;
  state: GraphSimulatorState;
  stop(): Promise<void>;
}

const VERSION_PREFIX = /^\/(v\d+\.\d+)\/(.*)$/;
const MAX_BODY_BYTES = 1024 * 1024;
const sdkStandIn = readFileSync(new URL('./js-sdk-stand-in.js', import.meta.url), 'utf8');

/** Starts the Graph API simulator on loopback; `port: 0` picks a free port. */
export async function startGraphSimulator(opts: { port?: number; host?: string; seed?: Partial<SimulatorSeed> } = {}): Promise<GraphSimulator> {
  const state = new GraphSimulatorState({ ...DEFAULT_SEED, ...opts.seed });
  const host = opts.host ?? '127.0.0.1';
  // On loopback, only this machine's own callers (local/runtime/loopback-host.ts); on another address, whoever it was opened to.
  const loopbackOnly = namesLoopback(host);
  const server = createServer((req, res) => {
    const refusal = loopbackOnly ? loopbackRefusal(req.headers) : undefined;
    if (refusal) return void res.writeHead(refusal).end();
    route(state, req).then(
      (response) => send(res, response),
      (error: unknown) => send(res, { status: 500, body: { error: { message: String(error), type: 'SimulatorError', code: 1 } } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        // Webhook retries would otherwise keep the process busy for seconds after the server is gone.
        state.webhooks.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(state: GraphSimulatorState, req: IncomingMessage): Promise<SimResponse> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return { status: 204, body: undefined };
  if (method === 'GET' && url.pathname === '/sdk.js') {
    return { status: 200, body: sdkStandIn, headers: { 'content-type': 'text/javascript; charset=utf-8' } };
  }
  const raw = await readBody(req);
  if (raw === undefined) return errors.badParameter('Request body too large');
  const body = parseBody(raw, req.headers['content-type']);

  if (url.pathname.startsWith('/__sim/')) return (await handleControlRequest(state, method, url.pathname, body)) ?? { status: 404, body: { error: 'no such control endpoint' } };

  const match = VERSION_PREFIX.exec(url.pathname);
  if (!match) return errors.unknownPath();
  const path = match[2] ?? '';
  const presented = bearer(req) ?? url.searchParams.get('access_token') ?? undefined;
  const token = state.resolveToken(presented);
  const response = await answerGraph(state, { method, path, query: url.searchParams, body, token, presentedToken: presented !== undefined, selfUrl: url });
  // A hung call is logged with status 0, then never answered: the client waits until it gives up.
  state.requests.push({ ...logEntry(method, url, body, presented, token, response.status), ...(response.throttled ? { throttled: true as const } : {}) });
  return response === NO_ANSWER ? new Promise<never>(() => undefined) : response;
}

/** The answer of a `hang` fault: none. */
const NO_ANSWER: SimResponse = { status: 0, body: undefined };

/** Latency, then `before` faults and rate limits, then Graph itself, then `after` faults; with usage headers. */
async function answerGraph(state: GraphSimulatorState, req: GraphRequest): Promise<SimResponse> {
  const { controls } = state;
  const call = graphOperation(req.method, req.path, state);
  await sleep(controls.delayMs());

  const before = call && (await applyFault(controls, call, 'before'));
  if (before === NO_ANSWER) return NO_ANSWER;
  const { throttled, usage } = controls.countCall(rateLimitKeys(state, req.token, call?.operation));
  const response = before ?? throttled ?? handleGraphRequest(state, req);
  const after = call && (await applyFault(controls, call, 'after'));
  if (after === NO_ANSWER) return NO_ANSWER;

  const final = after ?? response;
  const appUsage = usage.app ?? state.countCall();
  return {
    ...final,
    headers: {
      'x-app-usage': JSON.stringify({ call_count: appUsage, total_cputime: appUsage, total_time: appUsage }),
      ...(usage.business !== undefined && req.token?.kind === 'user'
        ? { 'x-business-use-case-usage': JSON.stringify({ [req.token.userId]: [{ type: 'whatsapp', call_count: usage.business, total_cputime: usage.business, total_time: usage.business, estimated_time_to_regain_access: 0 }] }) }
        : {}),
      ...final.headers,
    },
  };
}

/** The fault's answer, NO_ANSWER for a hang, or undefined when no rule hits (a delay only waits). */
async function applyFault(controls: SimulatorControls, call: { operation: GraphOperation; objectId?: string }, phase: 'before' | 'after'): Promise<SimResponse | undefined> {
  const rule = controls.takeFault(call.operation, call.objectId, phase);
  if (!rule) return undefined;
  if (rule.effect.type === 'delay') {
    await sleep(rule.effect.ms);
    return undefined;
  }
  return faultResponse(rule.effect) ?? NO_ANSWER;
}

const WHATSAPP_WRITES = new Set<GraphOperation>(SOLUTION_WRITES);

/** App-level calls count against our app; user calls against the token's user; WhatsApp calls against the business. */
function rateLimitKeys(state: GraphSimulatorState, token: SimToken | undefined, operation: GraphOperation | undefined) {
  const whatsapp = operation !== undefined && WHATSAPP_WRITES.has(operation);
  return {
    app: state.partnerApp.id,
    ...(token?.kind === 'user' ? { user: token.userId } : {}),
    ...(whatsapp ? { business: token?.kind === 'user' ? token.userId : `partner-${state.partnerApp.id}` } : {}),
  };
}

function logEntry(method: string, url: URL, body: unknown, presented: string | undefined, token: ReturnType<GraphSimulatorState['resolveToken']>, status: number): SimRequest {
  const match = VERSION_PREFIX.exec(url.pathname);
  return {
    at: new Date().toISOString(),
    method,
    path: `/${match?.[2] ?? url.pathname}`,
    query: Object.fromEntries(url.searchParams),
    body,
    auth: presented === undefined ? { kind: 'none' } : token ? { kind: token.kind, token: presented, ...(token.kind === 'user' ? { userId: token.userId } : {}) } : { kind: 'unknown', token: presented },
    status,
  };
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Graph takes JSON or form bodies; in form bodies, array parameters are JSON-encoded strings. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(
      [...new URLSearchParams(raw)].map(([k, v]) => {
        try {
          return [k, v.startsWith('[') || v.startsWith('{') ? JSON.parse(v) : v];
        } catch {
          return [k, v];
        }
      }),
    );
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, response: SimResponse): void {
  const isText = typeof response.body === 'string' && response.headers?.['content-type'] !== undefined;
  const payload = response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    // The consent dialog runs on the onboarding page's origin.
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type, authorization',
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    ...response.headers,
  });
  res.end(payload);
}
