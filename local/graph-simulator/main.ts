import { startGraphSimulator } from './server';

/** `npm run graph-sim`: the simulator on its own, for manual runs (GRAPH_SIM_PORT, default 4000). */
const port = Number(process.env.GRAPH_SIM_PORT ?? 4000);
const sim = await startGraphSimulator({
  port,
  seed: {
    ...(process.env.PARTNER_APP_ID ? { partnerApp: { id: process.env.PARTNER_APP_ID, name: 'Solution Partner app' } } : {}),
    ...(process.env.SYSTEM_USER_TOKEN ? { systemUserToken: process.env.SYSTEM_USER_TOKEN } : {}),
    ...(process.env.APP_SECRET ? { appSecret: process.env.APP_SECRET } : {}),
    ...(process.env.WEBHOOK_VERIFY_TOKEN ? { webhookVerifyToken: process.env.WEBHOOK_VERIFY_TOKEN } : {}),
  },
});
const tp = sim.state.techProvider();
console.log(`Graph API simulator on ${sim.url}`);
console.log(`  partner app ${sim.state.partnerApp.id}; Tech Provider ${tp?.userId} with apps ${tp?.apps.map((a) => a.id).join(', ')}`);
console.log(`  JS SDK stand-in: ${sim.url}/sdk.js · inspect: ${sim.url}/__sim/requests, ${sim.url}/__sim/solutions, ${sim.url}/__sim/clients, ${sim.url}/__sim/webhooks`);
const stop = () => void sim.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
