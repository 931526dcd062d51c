import { z } from 'zod';

/**
 * What Graph says of our rate limits on an answer (docs/graph-api.md § Errors): `X-App-Usage`
 * (the app's platform limit, in percent of its allowance) and `X-Business-Use-Case-Usage` (per
 * business, in percent, with `estimated_time_to_regain_access` in minutes once blocked). Either may
 * be missing ("once enough calls have been made"), and a header we cannot read is no reading at all.
 */
export interface UsageReading {
  /** The highest of `call_count`, `total_cputime` and `total_time` in X-App-Usage. */
  appPercent?: number;
  /** The highest share over every business and type in X-Business-Use-Case-Usage. */
  businessPercent?: number;
  /** How long Graph asks us to wait: `Retry-After`, or the longest `estimated_time_to_regain_access`. */
  retryAfterSeconds?: number;
}

const percent = z.coerce.number().finite().nonnegative().optional().catch(undefined);

const appUsageSchema = z.object({ call_count: percent, total_cputime: percent, total_time: percent });

const businessUsageSchema = z.record(
  z.string(),
  z.array(z.object({ call_count: percent, total_cputime: percent, total_time: percent, estimated_time_to_regain_access: percent }).catch({})).catch([]),
);

export function readUsage(headers: Headers): UsageReading {
  const app = parseHeader(headers.get('x-app-usage'), appUsageSchema);
  const business = Object.values(parseHeader(headers.get('x-business-use-case-usage'), businessUsageSchema) ?? {}).flat();
  const regainMinutes = highest(business.map((b) => b.estimated_time_to_regain_access));
  const retryAfter = Number(headers.get('retry-after'));
  return {
    appPercent: app && highest([app.call_count, app.total_cputime, app.total_time]),
    businessPercent: highest(business.flatMap((b) => [b.call_count, b.total_cputime, b.total_time])),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : regainMinutes ? regainMinutes * 60 : undefined,
  };
}

function parseHeader<T extends z.ZodType>(value: string | null, schema: T): z.infer<T> | undefined {
  if (!value) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function highest(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}
