import { badControl, controlError, type SimResponse } from './graph-errors';
import type { GraphSimulatorState } from './state';
import { WebhookHandshakeError } from './webhooks';

/**
 * `/__sim/webhooks*`: the app's webhook subscription (what a developer sets in the app dashboard),
 * the delivery log, and deliveries that misbehave on purpose (duplicates, old ones, made-up ones,
 * bad signatures, `account_update`s of one's own making). In-process, the same is `state.webhooks`.
 */
export async function handleWebhookControl(state: GraphSimulatorState, method: string, path: string, b: Record<string, unknown>): Promise<SimResponse | undefined> {
  const { webhooks } = state;
  switch (`${method} ${path}`) {
    case 'GET /__sim/webhooks':
      return { status: 200, body: { subscription: webhooks.subscription, deliveries: webhooks.deliveries } };
    case 'PUT /__sim/webhooks':
      return subscribe(state, b);
    case 'DELETE /__sim/webhooks':
      webhooks.unsubscribe();
      return { status: 204, body: undefined };
    case 'POST /__sim/webhooks/resend': {
      if (b.index !== undefined && !Number.isInteger(b.index)) return badControl('index must be an integer');
      if (b.badSignature !== undefined && typeof b.badSignature !== 'boolean') return badControl('badSignature must be a boolean');
      const delivery = await webhooks.resend({ index: b.index as number | undefined, badSignature: b.badSignature === true });
      return delivery ? { status: 200, body: delivery } : controlError(404, b.index === undefined ? 'the delivery log is empty' : `the delivery log holds no delivery ${b.index}`);
    }
    case 'POST /__sim/webhooks/send':
      return send(state, b);
    case 'POST /__sim/webhooks/account-update':
      return sendAccountUpdate(state, b);
    default:
      return undefined;
  }
}

async function subscribe(state: GraphSimulatorState, b: Record<string, unknown>): Promise<SimResponse> {
  if (typeof b.callbackUrl !== 'string') return badControl('callbackUrl (a URL) is required');
  if (b.verifyToken !== undefined && typeof b.verifyToken !== 'string') return badControl('verifyToken must be a string');
  try {
    await state.webhooks.subscribe(b.callbackUrl, b.verifyToken);
    return { status: 200, body: state.webhooks.subscription };
  } catch (error) {
    return controlError(error instanceof WebhookHandshakeError ? 502 : 400, (error as Error).message);
  }
}

/** Any change, Meta's events or not: the solution and status need not exist, `time` may lie in the past. */
async function send(state: GraphSimulatorState, b: Record<string, unknown>): Promise<SimResponse> {
  const { solutionId, status, event = 'SOLUTION_UPDATED', time = Math.floor(Date.now() / 1000), badSignature = false } = b;
  if (typeof solutionId !== 'string' || solutionId === '' || typeof status !== 'string' || status === '') return badControl('solutionId and status (strings) are required');
  if (typeof event !== 'string') return badControl('event must be a string');
  if (!Number.isInteger(time)) return badControl('time must be an integer (unix seconds)');
  if (typeof badSignature !== 'boolean') return badControl('badSignature must be a boolean');
  const delivery = await state.webhooks.send({ businessId: state.ownerBusinessId(solutionId), time: time as number, event, solutionId, status }, { badSignature });
  return { status: 200, body: delivery };
}


/** Any `account_update` value (another solution's, a missing or wrong `waba_info`), sent once; `entry[].id` our business unless given. */
async function sendAccountUpdate(state: GraphSimulatorState, b: Record<string, unknown>): Promise<SimResponse> {
  const { value, businessId, time, badSignature = false } = b;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return badControl('value (the change\'s value object) is required');
  if (businessId !== undefined && typeof businessId !== 'string') return badControl('businessId must be a string');
  if (time !== undefined && !Number.isInteger(time)) return badControl('time must be an integer (unix seconds)');
  if (typeof badSignature !== 'boolean') return badControl('badSignature must be a boolean');
  const delivery = await state.sendAccountUpdate(value as Record<string, unknown>, { badSignature, ...(businessId ? { businessId } : {}), ...(time !== undefined ? { time: time as number } : {}) });
  return { status: 200, body: delivery };
}
