import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { OpsError } from './ops-error';
import type { OpsTarget } from './target';

/** The system-user token from the target's Secrets Manager, read when a command needs Graph: held in memory only, never printed. */
export async function systemUserToken(target: Pick<OpsTarget, 'secrets' | 'config'>): Promise<string> {
  const { SecretString } = await target.secrets.send(new GetSecretValueCommand({ SecretId: target.config.systemUserTokenSecretId }));
  if (!SecretString) throw OpsError.target(`the secret ${target.config.systemUserTokenSecretId} is empty: put the system-user token in it`);
  return SecretString;
}
