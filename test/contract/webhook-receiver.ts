import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook callback for tests of the Graph simulator's webhooks, written from docs/graph-api.md alone:
 * it answers the subscription handshake when the verify token is its own, verifies each POST's
 * `X-Hub-Signature-256` over the raw bytes (401 when it does not verify, as a real callback
 * refuses it), and records every request with its exact bytes.
 */

export interface ReceivedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** How to answer one signed POST: an HTTP status, or `drop` to close the connection unanswered. */
export type PostAnswer = number | 'drop';

export interface WebhookReceiver {
  /** The callback URL to subscribe. */
  url: string;
  received: ReceivedRequest[];
  /** The POSTs received, oldest first. */
  posts(): ReceivedRequest[];
  /** Answers for the next signed POSTs, taken in order; 200 once none is left. */
  answers: PostAnswer[];
  /** Overrides the handshake's answer (by default: the challenge when the verify token matches, else 403). */
  handshake?: (query: URLSearchParams) => { status: number; body: string };
  /** When set, signed POSTs wait for it before they are answered. */
  hold?: Promise<void>;
  stop(): Promise<void>;
}

export function verifies(rawBody: Buffer, signatureHeader: string | string[] | undefined, appSecret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(String(signatureHeader ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(opts: { verifyToken: string; appSecret: string }): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    posts: () => receiver.received.filter((r) => r.method === 'POST'),
    answers: [],
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', receiver.url), headers: req.headers, rawBody: Buffer.concat(chunks) };
    receiver.received.push(request);
    if (request.method === 'GET') {
      const query = request.url.searchParams;
      const own = query.get('hub.mode') === 'subscribe' && query.get('hub.verify_token') === opts.verifyToken;
      const answer = receiver.handshake?.(query) ?? (own ? { status: 200, body: query.get('hub.challenge') ?? '' } : { status: 403, body: 'wrong verify token' });
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
      return;
    }
    if (!verifies(request.rawBody, req.headers['x-hub-signature-256'], opts.appSecret)) {
      res.writeHead(401).end();
      return;
    }
    await receiver.hold;
    const answer = receiver.answers.shift() ?? 200;
    if (answer === 'drop') req.socket.destroy();
    else res.writeHead(answer).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta`;
  return receiver;
}
