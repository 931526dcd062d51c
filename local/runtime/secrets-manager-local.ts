import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackRefusal } from './loopback-host';

export interface LocalSecretsManager {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * A local endpoint speaking the Secrets Manager JSON protocol for the one call the functions make,
 * `GetSecretValue`, so the deployed secret-reading code runs unchanged.
 */
export async function startSecretsManager(secrets: Record<string, string>): Promise<LocalSecretsManager> {
  const server = createServer((req, res) => {
    const refusal = loopbackRefusal(req.headers);
    if (refusal) return void res.writeHead(refusal).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'InvalidRequestException', message: `unsupported operation ${String(req.headers['x-amz-target'])}` });
      }
      let secretId: unknown;
      try {
        secretId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
      } catch {
        return reply(400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
      }
      const value = typeof secretId === 'string' ? secrets[secretId] : undefined;
      if (value === undefined) {
        return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:local:000000000000:secret:${String(secretId)}`,
        Name: secretId,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
