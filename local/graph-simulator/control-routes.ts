import type { SimResponse } from './graph-errors';
import type { GraphSimulatorState } from './state';

/**
 * `/__sim/*`: what the JS SDK stand-in's consent dialog and tests use to drive and inspect the
 * simulator over HTTP. The same operations are methods of {@link GraphSimulatorState} in-process.
 */
export function handleControlRequest(state: GraphSimulatorState, method: string, path: string, body: unknown): SimResponse | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  switch (`${method} ${path}`) {
    case 'GET /__sim/requests':
      return { status: 200, body: state.requests };
    case 'GET /__sim/solutions':
      return { status: 200, body: [...state.solutions.values()] };
    case 'POST /__sim/reset':
      state.reset();
      return { status: 204, body: undefined };
    case 'GET /__sim/consent': {
      const tp = state.techProvider();
      return { status: 200, body: { partnerApp: state.partnerApp, techProvider: tp && { userId: tp.userId, name: tp.name, apps: tp.apps } } };
    }
    case 'POST /__sim/tokens':
    case 'POST /__sim/consent': {
      const appIds = Array.isArray(b.appIds) ? b.appIds.map(String) : [];
      const scopes = Array.isArray(b.scopes) ? b.scopes.map(String) : undefined;
      try {
        const token = state.issueUserToken({ userId: typeof b.userId === 'string' ? b.userId : undefined, appIds, scopes });
        const expiresIn = token.expiresAt - Math.floor(Date.now() / 1000);
        // The shape of FB.login's authResponse (shared/graph-api.md § The JS SDK side).
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
        return { status: 400, body: { error: { message: (error as Error).message } } };
      }
    }
    default:
      return undefined;
  }
}
