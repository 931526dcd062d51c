import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { secretsManager } from './aws-clients';

/**
 * A secret string read through Powertools' SecretsProvider with an explicit cache TTL, so warm
 * invocations do not call Secrets Manager and a rotated value is picked up within the TTL.
 */
export function cachedSecret(secretId: string, maxAgeSeconds: number): () => Promise<string> {
  const provider = new SecretsProvider({ awsSdkV3Client: secretsManager() });
  return async () => {
    const value = await provider.get(secretId, { maxAge: maxAgeSeconds });
    if (typeof value !== 'string' || value.length === 0) throw new Error(`secret ${secretId} is empty or not a string`);
    return value;
  };
}
