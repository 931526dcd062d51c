import { fileURLToPath } from 'node:url';

/** The repository root (ESM has no __dirname): the Lambda entries, the lockfile and web/ live there. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
