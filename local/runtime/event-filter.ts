/**
 * Lambda event filtering (EventBridge pattern syntax) for the subset the stack uses: exact values,
 * `anything-but`, `exists`, `prefix`, nested objects. A record matches when every key of the pattern
 * matches; a key whose pattern is a list matches when any element does.
 */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly FilterValue[] };
type FilterValue = string | number | boolean | null | { readonly [op: string]: unknown };

export function matchesFilter(pattern: FilterPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (event as Record<string, unknown>)[key];
    if (Array.isArray(expected)) return (expected as readonly FilterValue[]).some((value) => matchesValue(value, actual));
    return matchesFilter(expected as FilterPattern, actual);
  });
}

function matchesValue(expected: FilterValue, actual: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  const [op, arg] = Object.entries(expected)[0] ?? [];
  switch (op) {
    case 'exists':
      return (actual !== undefined) === arg;
    case 'anything-but':
      return actual !== undefined && !(Array.isArray(arg) ? arg : [arg]).includes(actual);
    case 'prefix':
      return typeof actual === 'string' && typeof arg === 'string' && actual.startsWith(arg);
    default:
      throw new Error(`unsupported filter operator ${String(op)}`);
  }
}
