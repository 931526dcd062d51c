import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { listeningSockets } from '../support/listening-sockets';
import { processTree } from '../support/proc';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process';

/**
 * `npm start` is reachable from this machine only: its emulators have no authentication, and the
 * create queue holds Tech Provider tokens. Checked on what the kernel reports for the runtime's
 * whole process tree (Node, DynamoDB Local's JVM, anything else it starts), and by trying each
 * endpoint on the machine's other addresses.
 */
let runtime: RuntimeProcess;

beforeAll(async () => {
  runtime = await startRuntimeProcess();
}, 90_000);
afterAll(() => runtime?.stop());

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/** The ports of runtime.json's endpoints (the webhook shares the page's origin). */
const endpointPorts = () => {
  const { http, dynamodb, sqs, secretsManager, graph } = runtime.endpoints;
  return [...new Set([http, dynamodb, sqs, secretsManager, graph].map((url) => Number(new URL(url).port)))];
};

describe('the local runtime listens on loopback only', () => {
  test('every socket its process tree listens on is bound to a loopback address', () => {
    const listeners = listeningSockets(processTree(runtime.child.pid!));
    // Every endpoint among them: the check cannot pass by finding no sockets at all.
    expect(listeners.map((l) => l.port)).toEqual(expect.arrayContaining(endpointPorts()));
    expect(listeners.filter((l) => !LOOPBACK.includes(l.address))).toEqual([]);
  });

  test('no endpoint accepts a connection on the machine’s other addresses', async () => {
    // On a machine with no interface but loopback this tries nothing, and the check above stands alone.
    const addresses = Object.entries(networkInterfaces()).flatMap(([name, list]) =>
      (list ?? []).filter((a) => !a.internal).map((a) => (a.scopeid ? `${a.address}%${name}` : a.address)),
    );
    const attempts = await Promise.all(addresses.flatMap((host) => endpointPorts().map(async (port) => ({ host, port, outcome: await tryConnect(host, port) }))));
    expect(attempts.filter((a) => a.outcome !== 'ECONNREFUSED')).toEqual([]);
  });
});

describe('its endpoints answer only this machine’s own callers', () => {
  test('a foreign Host (a web page rebound to 127.0.0.1) gets 421, a foreign Origin (any other web page) 403, with nothing else; loopback names are served', async () => {
    const { http, dynamodb, sqs, secretsManager, graph } = runtime.endpoints;
    const endpoints = { http, dynamodb, sqs, secretsManager, graph };
    const answers = await Promise.all(
      Object.entries(endpoints).map(async ([name, url]) => {
        const own = `127.0.0.1:${new URL(url).port}`;
        const [rebound, foreignPage, ownPage, sdk] = await Promise.all([
          post(url, { host: `rebound.example:${new URL(url).port}` }),
          post(url, { host: own, origin: 'https://attacker.example' }),
          post(url, { host: own, origin: http }),
          post(url, { host: own }),
        ]);
        return { name, rebound, foreignPage, served: [ownPage.status, sdk.status].every((status) => status !== 421 && status !== 403) };
      }),
    );
    expect(answers).toEqual(Object.keys(endpoints).map((name) => ({ name, rebound: { status: 421, body: '' }, foreignPage: { status: 403, body: '' }, served: true })));
  });
});

/** A POST to `url` with these headers (fetch can set neither Host nor Origin): the status and body it gets. */
function post(url: string, headers: { host: string; origin?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-amz-json-1.0' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.on('error', reject);
    call.end('{}');
  });
}

/** 'connected', the connection's error code, or 'timeout' when nothing answers. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const done = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.once('connect', () => done('connected'));
    socket.once('timeout', () => done('timeout'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
