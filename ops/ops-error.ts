/**
 * The ops CLI's exit codes, for scripts (docs/operating.md):
 * 0 done; 1 done in part (an item not retried, a message left, Graph refused); 2 usage, target or
 * AWS access error (nothing was changed); 3 nothing holds the ID asked for.
 */
export const EXIT = { ok: 0, partly: 1, usage: 2, notFound: 3 } as const;

/** An error the CLI reports as one line on stderr, with its exit code. */
export class OpsError extends Error {
  override readonly name = 'OpsError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }

  static usage = (message: string) => new OpsError(EXIT.usage, message);
  static target = (message: string) => new OpsError(EXIT.usage, message);
  static notFound = (message: string) => new OpsError(EXIT.notFound, message);
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'KMS.AccessDeniedException']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const BAD_CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch']);
const MISSING = new Set(['ResourceNotFoundException', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/** Any failure as the one line the CLI prints: AWS access problems say what to fix. */
export function asOpsError(error: unknown, where: string): OpsError {
  if (error instanceof OpsError) return error;
  const { name = '', message = String(error), code } = error as { name?: string; message?: string; code?: string };
  // The config module lists every problem on its own line: one line here.
  if (name === 'ConfigError') return OpsError.target(message.split('\n').map((line) => line.trim()).join(' '));
  const firstLine = message.split('\n')[0]!.trim();
  if (name === 'CredentialsProviderError') {
    return OpsError.target('no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or sign in with `aws sso login`');
  }
  if (/region is missing/i.test(message)) return OpsError.target('no AWS region: set AWS_REGION, or a region in your AWS profile');
  if (EXPIRED.has(name)) return OpsError.target(`the AWS credentials have expired: sign in again (${firstLine})`);
  if (BAD_CREDENTIALS.has(name)) return OpsError.target(`AWS does not accept these credentials (${name}): check AWS_PROFILE or the access keys`);
  if (ACCESS_DENIED.has(name)) return OpsError.target(`not allowed on ${where}: ${firstLine}`);
  if (MISSING.has(name)) return OpsError.target(`not found on ${where}: ${firstLine}`);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return OpsError.target(`${where} does not answer (${firstLine}): is it still running?`);
  return new OpsError(EXIT.partly, `failed on ${where}: ${name && name !== 'Error' ? `${name}: ` : ''}${firstLine}`);
}
