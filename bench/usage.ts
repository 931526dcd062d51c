import type { FunctionUsage, MeteredService, OperationUsage, UsageSnapshot } from '../local/runtime/usage-meter';

/** The runtime's usage meter (local/runtime/usage-meter.ts): what was counted so far. */
export async function readUsage(url: string | undefined): Promise<UsageSnapshot> {
  if (!url) throw new Error('the runtime has no usage meter: start it with USAGE_METER=1');
  const response = await fetch(url);
  if (!response.ok) throw new Error(`usage meter: HTTP ${response.status}`);
  return (await response.json()) as UsageSnapshot;
}

const ZERO_OPERATION: OperationUsage = { requests: 0, readUnits: 0, writeUnits: 0, refused: 0, unmetered: 0, chunks: 0, empty: 0, ms: 0 };
const ZERO_FUNCTION: FunctionUsage = { invocations: 0, billedMs: 0, inits: 0, initBilledMs: 0 };

function minus<T extends object>(after: T, before: T | undefined, zero: T): T {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, (value as number) - ((before ?? zero) as Record<string, number>)[key]!])) as T;
}

/** What was counted between two snapshots. */
export function usageBetween(before: UsageSnapshot, after: UsageSnapshot): UsageSnapshot {
  const services = {} as UsageSnapshot['services'];
  for (const service of Object.keys(after.services) as MeteredService[]) {
    services[service] = Object.fromEntries(
      Object.entries(after.services[service]).map(([caller, operations]) => [
        caller,
        Object.fromEntries(Object.entries(operations).map(([name, usage]) => [name, minus(usage, before.services[service][caller]?.[name], ZERO_OPERATION)])),
      ]),
    );
  }
  const functions = Object.fromEntries(Object.entries(after.functions).map(([name, usage]) => [name, minus(usage, before.functions[name], ZERO_FUNCTION)]));
  return { services, functions };
}

/** Every operation of `service` summed, over the callers `include` keeps. */
export function serviceTotal(usage: UsageSnapshot, service: MeteredService, include: (caller: string) => boolean): OperationUsage {
  const total = { ...ZERO_OPERATION };
  for (const [caller, operations] of Object.entries(usage.services[service])) {
    if (!include(caller)) continue;
    for (const op of Object.values(operations)) for (const key of Object.keys(total) as (keyof OperationUsage)[]) total[key] += op[key];
  }
  return total;
}
