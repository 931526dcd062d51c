import { parseArgs } from 'node:util';
import { MAX_APPS_PER_ONBOARDING } from '../lambdas/domain/records/ports';

/** The sections, in the order the report lists them (issue 16 §6). */
export const SECTION_IDS = ['burst', 'stress', 'baseline', 'single', 'cost', 'intake', 'cold-start', 'memory', 'machine'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface BenchOptions {
  /** Onboardings per burst. */
  n: number;
  /** Apps per onboarding in the bursts. */
  k: number;
  /** Mean Graph latency, ms. */
  latencyMs: number;
  /** Half the spread around the mean, ms: each call takes latency ± jitter, uniformly. */
  jitterMs: number;
  /** The app's Graph allowance in the rate-limited bursts, calls per second on average (burst: per sped-up hour; stress: per second). */
  rate: number;
  /** Chance of a transient 503 on each create and accept call in the bursts. */
  faultRate: number;
  sections: SectionId[];
  quick: boolean;
  /** POSTs in flight at once in the bursts. */
  postConcurrency: number;
  /** App counts of the single-onboarding runs. */
  singleK: number[];
  /** Runs of the single onboarding at the goal's k, whose median is compared with its critical path. */
  singleGoalRuns: number;
  /** Three-app onboardings the cost section runs, one after another. */
  costOnboardings: number;
  intakeClients: number;
  intakePostsPerClient: number;
  coldStartRuns: number;
}

export const USAGE = `Usage: npm run bench -- [options]

  --n <count>           onboardings per burst (default 200; --quick 20)
  --k <count>           apps per onboarding in the bursts (default 3)
  --latency <ms>        mean Graph latency (default 80)
  --jitter <ms>         ± spread around the mean, uniform (default 20)
  --rate <calls/s>      the app's Graph allowance in the rate-limited bursts, calls per second on average
                        (per sped-up rolling hour in burst, per second in stress; default 100; --quick 50)
  --fault-rate <p>      chance of a transient 503 on each create and accept in the bursts (default 0)
  --sections <a,b,…>    any of ${SECTION_IDS.join(', ')} (default all)
  --quick               a smaller run that finishes within a minute
  --help                this text`;

/** Reads the command line; throws with the usage text on anything it does not understand. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: 'string' },
      k: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      rate: { type: 'string' },
      'fault-rate': { type: 'string' },
      sections: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const options: BenchOptions = {
    n: integer('--n', values.n, quick ? 20 : 200, 1),
    k: integer('--k', values.k, 3, 1, MAX_APPS_PER_ONBOARDING),
    latencyMs: number('--latency', values.latency, 80),
    jitterMs: number('--jitter', values.jitter, 20),
    rate: integer('--rate', values.rate, quick ? 50 : 100, 1),
    faultRate: number('--fault-rate', values['fault-rate'], 0, 1),
    sections: sections(values.sections),
    quick,
    postConcurrency: 20,
    // k = 10 shows how one onboarding scales with its apps; the quick run keeps to the goal's k = 3.
    singleK: quick ? [1, 3] : [1, 3, 10],
    singleGoalRuns: quick ? 3 : 5,
    costOnboardings: quick ? 5 : 20,
    intakeClients: quick ? 5 : 20,
    intakePostsPerClient: quick ? 4 : 10,
    coldStartRuns: quick ? 3 : 10,
  };
  // Bounds and critical paths are multiples of the latency: a Graph that answers at once has none.
  if (options.latencyMs <= 0) throw new Error('--latency must be above 0 ms');
  // The simulator adds a uniform 0..2·jitter to a fixed part: a negative fixed part cannot be.
  if (options.jitterMs > options.latencyMs) throw new Error(`--jitter (${options.jitterMs}) cannot exceed --latency (${options.latencyMs})`);
  return options;
}

function number(flag: string, raw: string | undefined, fallback: number, max = Number.POSITIVE_INFINITY): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`${flag} must be a number from 0${Number.isFinite(max) ? ` to ${max}` : ''}, got ${JSON.stringify(raw)}`);
  return value;
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = number(flag, raw, fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function sections(raw: string | undefined): SectionId[] {
  if (raw === undefined) return [...SECTION_IDS];
  const asked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(SECTION_IDS as readonly string[]).includes(s));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`--sections takes any of ${SECTION_IDS.join(', ')}, got ${JSON.stringify(raw)}`);
  return SECTION_IDS.filter((id) => asked.includes(id));
}
