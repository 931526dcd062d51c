import { GRAPH_OPERATIONS, isRateLimit, type FaultEffect, type GraphOperation } from './controls';
import { badControl, controlError, type SimResponse } from './graph-errors';
import type { GraphSimulatorState, SolutionChange } from './state';
import { handleClientControl } from './client-control-routes';
import { handleWebhookControl } from './webhook-control-routes';

/**
 * `/__sim/*`: what the JS SDK stand-in's consent dialog and tests use to drive and inspect the
 * simulator over HTTP. The same operations are methods of {@link GraphSimulatorState} in-process.
 */
export async function handleControlRequest(state: GraphSimulatorState, method: string, path: string, body: unknown): Promise<SimResponse | undefined> {
  const b = (body ?? {}) as Record<string, unknown>;
  const faultId = /^\/__sim\/faults\/([^/]+)$/.exec(path)?.[1];
  if (method === 'DELETE' && faultId) return removeFault(state, faultId);
  const lifecycle = /^\/__sim\/solutions\/([^/]+)\/(reject|request-deactivation|deactivate)$/.exec(path);
  if (method === 'POST' && lifecycle) return changeSolution(state, lifecycle[1]!, lifecycle[2] as keyof typeof LIFECYCLE_CONTROLS);
  if (path === '/__sim/webhooks' || path.startsWith('/__sim/webhooks/')) return handleWebhookControl(state, method, path, b);
  const clientControl = handleClientControl(state, method, path, b);
  if (clientControl) return clientControl;
  switch (`${method} ${path}`) {
    case 'GET /__sim/requests':
      return { status: 200, body: state.requests };
    case 'GET /__sim/solutions':
      return { status: 200, body: [...state.solutions.values()] };
    case 'POST /__sim/reset':
      state.reset();
      return { status: 204, body: undefined };
    case 'POST /__sim/tech-providers': {
      const apps = Array.isArray(b.apps) ? b.apps.map((a: { id?: unknown; name?: unknown }) => ({ id: String(a.id), name: String(a.name ?? a.id) })) : [];
      if (typeof b.userId !== 'string' || apps.length === 0) return badControl('a Tech Provider needs a userId and at least one app {id, name}');
      return { status: 201, body: state.addTechProvider({ userId: b.userId, name: String(b.name ?? b.userId), apps }) };
    }
    case 'GET /__sim/faults':
      return { status: 200, body: state.controls.faults };
    case 'POST /__sim/faults':
      return addFault(state, b);
    case 'DELETE /__sim/faults':
      state.controls.faults.length = 0;
      return { status: 204, body: undefined };
    case 'GET /__sim/latency':
      return { status: 200, body: state.controls.latency };
    case 'PUT /__sim/latency':
      state.controls.latency = { fixedMs: Number(b.fixedMs ?? 0), jitterMs: Number(b.jitterMs ?? 0) };
      return { status: 200, body: state.controls.latency };
    case 'GET /__sim/rate-limits':
      return { status: 200, body: state.controls.rateLimits };
    case 'PUT /__sim/rate-limits':
      return setRateLimits(state, body);
    case 'PUT /__sim/paging': {
      const maxPageSize = Number(b.maxPageSize);
      if (!Number.isInteger(maxPageSize) || maxPageSize < 1) return badControl('paging needs a positive integer maxPageSize');
      state.controls.maxPageSize = maxPageSize;
      return { status: 200, body: { maxPageSize } };
    }
    case 'GET /__sim/consent': {
      const tp = state.techProvider();
      return { status: 200, body: { partnerApp: state.partnerApp, techProvider: tp && { userId: tp.userId, name: tp.name, apps: tp.apps } } };
    }
    case 'POST /__sim/tokens':
    case 'POST /__sim/consent': {
      const appIds = Array.isArray(b.appIds) ? b.appIds.map(String) : [];
      const scopes = Array.isArray(b.scopes) ? b.scopes.map(String) : undefined;
      try {
        const token = state.issueUserToken({
          userId: typeof b.userId === 'string' ? b.userId : undefined,
          appIds,
          scopes,
          forAppId: typeof b.forAppId === 'string' ? b.forAppId : undefined,
          expiresInSeconds: typeof b.expiresInSeconds === 'number' ? b.expiresInSeconds : undefined,
        });
        const expiresIn = token.expiresAt - Math.floor(Date.now() / 1000);
        // The shape of FB.login's authResponse (docs/graph-api.md § The JS SDK side).
        return {
          status: 200,
          body: {
            accessToken: token.token,
            expiresIn,
            reauthorize_required_in: expiresIn,
            signedRequest: 'simulated',
            userID: token.userId,
            data_access_expiration_time: token.expiresAt + 90 * 86400,
            grantedScopes: token.scopes.join(','),
          },
        };
      } catch (error) {
        return badControl((error as Error).message);
      }
    }
    default:
      return undefined;
  }
}

function addFault(state: GraphSimulatorState, b: Record<string, unknown>): SimResponse {
  const effect = b.effect as FaultEffect | undefined;
  const operation = b.operation as GraphOperation | undefined;
  if (!effect || !['error', 'hang', 'malformed', 'delay', 'answer'].includes(effect.type)) return badControl('effect.type must be error, hang, malformed, delay or answer');
  if (effect.type === 'answer' && !(Number.isInteger(effect.status) && effect.status >= 100 && effect.status <= 599)) return badControl('an answer needs an HTTP status');
  if (effect.type === 'error' && effect.fbtraceId !== undefined && typeof effect.fbtraceId !== 'string') return badControl("an error's fbtraceId must be a string");
  if (operation !== undefined && !GRAPH_OPERATIONS.includes(operation)) return badControl(`operation must be one of ${GRAPH_OPERATIONS.join(', ')}`);
  if (b.phase !== undefined && b.phase !== 'before' && b.phase !== 'after') return badControl('phase must be before or after');
  const rule = state.controls.addFault({
    effect,
    ...(operation ? { operation } : {}),
    ...(typeof b.objectId === 'string' ? { objectId: b.objectId } : {}),
    ...(typeof b.times === 'number' ? { times: b.times } : {}),
    ...(typeof b.probability === 'number' ? { probability: b.probability } : {}),
    ...(b.phase === 'after' ? { phase: 'after' as const } : {}),
  });
  return { status: 201, body: rule };
}

function removeFault(state: GraphSimulatorState, id: string): SimResponse {
  const index = state.controls.faults.findIndex((r) => r.id === id);
  if (index < 0) return controlError(404, `no armed fault rule ${id}`);
  state.controls.faults.splice(index, 1);
  return { status: 204, body: undefined };
}

function setRateLimits(state: GraphSimulatorState, body: unknown): SimResponse {
  const limits = Array.isArray(body) ? body : [];
  if (!limits.every(isRateLimit)) {
    return badControl(
      'each rate limit needs scope (app, user or business) and either callsPerHour > 0 (Graph\'s hourly shape, with an optional timeFactor > 0) or maxCalls > 0 and windowSeconds > 0',
    );
  }
  state.controls.rateLimits = limits;
  return { status: 200, body: limits };
}

/**
 * What Meta or the Tech Provider does to a solution outside our Graph calls (in their dashboards): the
 * state's own transitions, so that these and the Graph calls change a solution in one way, webhooks
 * included.
 */
const LIFECYCLE_CONTROLS = {
  /** Our partner app declines the invitation, as in the dashboard (only while `INITIATED`). */
  reject: (state: GraphSimulatorState, id: string) => state.rejectSolution(id),
  /** The owner asks to deactivate (only while `ACTIVE` with no pending request). */
  'request-deactivation': (state: GraphSimulatorState, id: string) => state.requestDeactivation(id),
  /** Meta or the owner ends the solution (only while `ACTIVE`). */
  deactivate: (state: GraphSimulatorState, id: string) => state.deactivateSolution(id),
} satisfies Record<string, (state: GraphSimulatorState, id: string) => SolutionChange>;

function changeSolution(state: GraphSimulatorState, id: string, action: keyof typeof LIFECYCLE_CONTROLS): SimResponse {
  const change = LIFECYCLE_CONTROLS[action](state, id);
  if (!('refused' in change)) return { status: 200, body: change.solution };
  if (change.refused === 'unknown-solution') return controlError(404, `no solution ${id}`);
  const { status, statusForPendingRequest } = state.solutions.get(id)!;
  return controlError(409, `cannot ${action} solution ${id}: it is ${status} with ${statusForPendingRequest}`);
}

