import { ClientRefusal, ONBOARDING_EVENTS, type OnboardingOptions } from './client-onboarding';
import { badControl, controlError, type SimResponse } from './graph-errors';
import type { AccessTokenShape, GraphSimulatorState } from './state';

/**
 * `/__sim/clients*`, `/__sim/business-tokens` and `/__sim/access-token-shape`: what clients do
 * outside our Graph calls (Embedded Signup through a solution, unsharing a WABA, removing our app),
 * the business tokens issued (for a leak scan), and which access_token answer shape Graph gives. In-process,
 * the same are `state.onboardClient`, `removeClient`, `uninstallApp`, `businessTokens()` and `accessTokenShape`.
 */
export function handleClientControl(state: GraphSimulatorState, method: string, path: string, b: Record<string, unknown>): SimResponse | undefined {
  const action = /^\/__sim\/clients\/([^/]+)\/(remove|uninstall-app)$/.exec(path);
  if (method === 'POST' && action) {
    const wabaId = decodeURIComponent(action[1]!);
    return refusable(() => ({ status: 200, body: action[2] === 'remove' ? state.removeClient(wabaId) : state.uninstallApp(wabaId) }));
  }
  switch (`${method} ${path}`) {
    case 'GET /__sim/clients':
      return { status: 200, body: [...state.clients.wabas.values()] };
    case 'POST /__sim/clients':
      return onboard(state, b);
    case 'GET /__sim/business-tokens':
      return { status: 200, body: state.businessTokens() };
    case 'GET /__sim/access-token-shape':
      return { status: 200, body: { shape: state.accessTokenShape } };
    case 'PUT /__sim/access-token-shape': {
      if (b.shape !== 'reference' && b.shape !== 'guide') return badControl('shape must be reference or guide');
      state.accessTokenShape = b.shape as AccessTokenShape;
      return { status: 200, body: { shape: state.accessTokenShape } };
    }
    default:
      return undefined;
  }
}

const BOOLEAN_OPTIONS = ['repeat', 'reverse', 'noWebhook'] as const;
const TEXT_OPTIONS = ['wabaId', 'wabaName', 'timezoneId', 'businessId', 'businessName'] as const;

function onboard(state: GraphSimulatorState, b: Record<string, unknown>): SimResponse {
  if (typeof b.solutionId !== 'string' || b.solutionId === '') return badControl('solutionId (a string) is required');
  if (b.events !== undefined && !ONBOARDING_EVENTS.includes(b.events as never)) return badControl(`events must be one of ${ONBOARDING_EVENTS.join(', ')}`);
  if (b.fundedBy !== undefined && b.fundedBy !== 'other') return badControl('fundedBy can only be other');
  const wrongBoolean = BOOLEAN_OPTIONS.find((k) => b[k] !== undefined && typeof b[k] !== 'boolean');
  if (wrongBoolean) return badControl(`${wrongBoolean} must be a boolean`);
  const wrongText = TEXT_OPTIONS.find((k) => b[k] !== undefined && typeof b[k] !== 'string');
  if (wrongText) return badControl(`${wrongText} must be a string`);
  const opts = Object.fromEntries(['events', 'fundedBy', ...BOOLEAN_OPTIONS, ...TEXT_OPTIONS].filter((k) => b[k] !== undefined).map((k) => [k, b[k]])) as OnboardingOptions;
  return refusable(() => ({ status: 201, body: state.onboardClient(b.solutionId as string, opts) }));
}

/** A {@link ClientRefusal} as the control's answer: 404 for what does not exist, 409 for what its state does not allow. */
function refusable(act: () => SimResponse): SimResponse {
  try {
    return act();
  } catch (error) {
    if (!(error instanceof ClientRefusal)) throw error;
    return controlError(error.reason === 'unknown-solution' || error.reason === 'unknown-waba' ? 404 : 409, error.message);
  }
}
