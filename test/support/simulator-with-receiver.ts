import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { startWebhookReceiver, type WebhookReceiver } from '../contract/webhook-receiver';

export interface SimulatorWithReceiver {
  sim: GraphSimulator;
  receiver: WebhookReceiver;
}

/**
 * A test file's Graph simulator, signing webhooks with these keys, and a callback that verifies them:
 * both started once for the file (in `beforeAll`), both back to their start before each test. Read
 * `sim` and `receiver` inside tests and hooks only: they exist once `beforeAll` ran.
 */
export function simulatorWithReceiver(keys: { appSecret: string; verifyToken: string }): SimulatorWithReceiver {
  const env = {} as SimulatorWithReceiver;
  beforeAll(async () => {
    env.sim = await startGraphSimulator({ seed: { appSecret: keys.appSecret, webhookVerifyToken: keys.verifyToken } });
    env.receiver = await startWebhookReceiver(keys);
  });
  afterAll(async () => {
    await env.sim.stop();
    await env.receiver.stop();
  });
  beforeEach(() => {
    env.sim.state.reset();
    Object.assign(env.receiver, { received: [], answers: [], handshake: undefined, hold: undefined });
  });
  return env;
}
