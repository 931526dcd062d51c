import { CLIENT_STATUSES, type ClientStatus } from '../lambdas/domain/clients/client-status';
import { SOLUTION_STATUSES, type SolutionStatus } from '../lambdas/domain/solution-status';
import { OpsError } from './ops-error';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from now (`90m`, `6h`, `7d`) or a time (`2026-11-28`, `2026-11-28T10:00:00Z`); an ISO 8601 time out. */
export function parseSince(value: string, now: Date): string {
  const relative = /^(\d+)([mhd])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw OpsError.usage(`--since ${value}: a duration back from now (90m, 6h, 7d: whole minutes, hours or days) or a time (2026-11-28, 2026-11-28T10:00:00Z)`);
  return new Date(at).toISOString();
}

/** `--status`, repeated or comma-separated, each one of `allowed` (any case). */
function parseStatusList<S extends string>(values: readonly string[] | undefined, allowed: readonly S[]): S[] | undefined {
  if (!values?.length) return undefined;
  const statuses = values.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  for (const status of statuses) {
    if (!(allowed as readonly string[]).includes(status)) throw OpsError.usage(`--status ${status}: one of ${allowed.join(', ')}`);
  }
  return statuses as S[];
}

/** `--status` of solutions. */
export const parseStatuses = (values: readonly string[] | undefined): SolutionStatus[] | undefined => parseStatusList(values, SOLUTION_STATUSES);

/** `--status` of clients (`clients`): their own statuses, which no solution has. */
export const parseClientStatuses = (values: readonly string[] | undefined): ClientStatus[] | undefined => parseStatusList(values, CLIENT_STATUSES);

export function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw OpsError.usage(`--limit ${value}: a whole number from 1 to ${max}`);
  return n;
}

/** Onboarding IDs are UUIDs (intake's randomUUID); solution and app IDs are Facebook's numeric IDs. */
export type RecordId = { kind: 'onboarding'; id: string } | { kind: 'numeric'; id: string };

export function parseRecordId(value: string): RecordId {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return { kind: 'onboarding', id: value.toLowerCase() };
  if (/^\d{1,30}$/.test(value)) return { kind: 'numeric', id: value };
  throw OpsError.usage(`${value}: not an onboarding ID (a UUID), or a solution, app or WABA ID (digits)`);
}
