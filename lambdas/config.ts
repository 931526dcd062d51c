import { z } from 'zod';

/**
 * The one place that reads the environment. Each Lambda loads the section it needs once, at cold
 * start; a missing or malformed variable fails the start with every problem listed, not a later call.
 */

/** A comma-separated permission list such as `MESSAGING,MANAGE`; empty means none. */
const permissionList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((p) => p.trim().toUpperCase()).filter(Boolean));

const graphSchema = z.object({
  GRAPH_API_BASE_URL: z.url().default('https://graph.facebook.com'),
  GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'like v25.0').default('v25.0'),
  GRAPH_APP_LISTING_PATH: z.enum(['me/assigned_applications', 'me/application_details']).default('me/assigned_applications'),
  GRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

const commonSchema = graphSchema.extend({
  TABLE_NAME: z.string().min(1),
  PARTNER_APP_ID: z.string().regex(/^\d+$/, 'a numeric Facebook app ID'),
  SECRET_CACHE_TTL_SECONDS: z.coerce.number().int().nonnegative().default(300),
});

const intakeSchema = commonSchema.extend({
  CREATE_QUEUE_URL: z.string().min(1),
  APP_SECRET_ID: z.string().min(1),
  PARTNER_NAME: z.string().min(1).default('Solution Partner'),
  SOLUTION_NAME_TEMPLATE: z.string().min(1).default('{partner} × {appName}'),
});

const createSolutionSchema = commonSchema
  .extend({
    CREATE_QUEUE_URL: z.string().min(1),
    OWNER_PERMISSIONS: permissionList(''),
    PARTNER_PERMISSIONS: permissionList('MESSAGING'),
    CREATE_LEASE_SECONDS: z.coerce.number().int().positive().default(60),
  })
  .refine((env) => env.OWNER_PERMISSIONS.includes('MESSAGING') !== env.PARTNER_PERMISSIONS.includes('MESSAGING'), {
    message: 'exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS must hold MESSAGING (Graph rejects both or neither)',
    path: ['PARTNER_PERMISSIONS'],
  });

const acceptSolutionSchema = commonSchema.extend({
  SYSTEM_USER_TOKEN_SECRET_ID: z.string().min(1),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function load<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

function graphOptions(env: z.infer<typeof graphSchema>) {
  return {
    baseUrl: env.GRAPH_API_BASE_URL,
    version: env.GRAPH_API_VERSION,
    appListingPath: env.GRAPH_APP_LISTING_PATH,
    timeoutMs: env.GRAPH_TIMEOUT_MS,
  };
}

export function loadIntakeConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(intakeSchema, env);
  return {
    tableName: c.TABLE_NAME,
    createQueueUrl: c.CREATE_QUEUE_URL,
    appSecretId: c.APP_SECRET_ID,
    secretCacheTtlSeconds: c.SECRET_CACHE_TTL_SECONDS,
    graph: graphOptions(c),
    onboarding: { partnerAppId: c.PARTNER_APP_ID, partnerName: c.PARTNER_NAME, solutionNameTemplate: c.SOLUTION_NAME_TEMPLATE },
  };
}

export function loadCreateSolutionConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(createSolutionSchema, env);
  return {
    tableName: c.TABLE_NAME,
    createQueueUrl: c.CREATE_QUEUE_URL,
    graph: graphOptions(c),
    solution: {
      partnerAppId: c.PARTNER_APP_ID,
      ownerPermissions: c.OWNER_PERMISSIONS,
      partnerPermissions: c.PARTNER_PERMISSIONS,
      createLeaseMs: c.CREATE_LEASE_SECONDS * 1000,
    },
  };
}

export function loadAcceptSolutionConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = load(acceptSolutionSchema, env);
  return {
    tableName: c.TABLE_NAME,
    systemUserTokenSecretId: c.SYSTEM_USER_TOKEN_SECRET_ID,
    secretCacheTtlSeconds: c.SECRET_CACHE_TTL_SECONDS,
    graph: graphOptions(c),
    acceptance: { partnerAppId: c.PARTNER_APP_ID },
  };
}
