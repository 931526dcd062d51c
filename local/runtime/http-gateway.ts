import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { WEBHOOK_PATH, type PageConfig } from '../../lib/page-config';
import { loopbackRefusal } from './loopback-host';

export interface HttpGatewayOptions {
  port: number;
  webDir: string;
  /** The page's runtime config, served as `/config.json` (generated at deploy time in AWS). */
  pageConfig: PageConfig;
  invokeApi: ApiFunction;
  /** Meta's webhook calls (`GET|POST WEBHOOK_PATH`), as the HTTP API's own routes send them. */
  invokeWebhook: ApiFunction;
  onError: (error: unknown) => void;
}

type ApiFunction = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpGateway {
  url: string;
  stop(): Promise<void>;
}

/** API Gateway HTTP APIs refuse larger payloads before the function sees them. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * One origin, as CloudFront gives it in AWS: `GET|POST /api/webhooks/meta` goes to the webhook
 * function and the rest of `/api/*` to intake, as API Gateway payload-format-2.0 events (the HTTP
 * API's routes); everything else is the static page from `web/`.
 */
export async function startHttpGateway(opts: HttpGatewayOptions): Promise<HttpGateway> {
  const server = createServer((req, res) => {
    const refusal = loopbackRefusal(req.headers);
    if (refusal) return void res.writeHead(refusal).end();
    handle(opts, req, res).catch((error: unknown) => {
      opts.onError(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(opts: HttpGatewayOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === WEBHOOK_PATH && (req.method === 'GET' || req.method === 'POST')) return proxyToApi(opts.invokeWebhook, opts, req, res, url);
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return proxyToApi(opts.invokeApi, opts, req, res, url);
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
  if (url.pathname === '/config.json') {
    res.writeHead(200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' });
    return void res.end(JSON.stringify(opts.pageConfig));
  }
  // An absolute path normalizes at its root, so `..` can never leave webDir.
  const relative = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
  try {
    const file = await readFile(join(opts.webDir, relative));
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream' });
    res.end(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  }
}

async function proxyToApi(invoke: ApiFunction, opts: HttpGatewayOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY) {
      res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const result: APIGatewayProxyStructuredResultV2 = await invoke(toApiGatewayEvent(req, url, body)).catch((error: unknown) => {
    opts.onError(error);
    // What API Gateway answers when the integration fails or times out.
    return { statusCode: 503, body: JSON.stringify({ message: 'Service Unavailable' }), headers: { 'content-type': 'application/json' } };
  });
  const responseBody = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  res.writeHead(result.statusCode ?? 200, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])));
  res.end(responseBody);
}

function toApiGatewayEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  // API Gateway base64-encodes bodies that are not text.
  const isText = body.length === 0 || /^(text\/|application\/(json|x-www-form-urlencoded|javascript|xml))/i.test(contentType) || contentType === '';
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  };
}
