import { type HistoryEntry, type Onboarding, type SolutionRecord } from '../../lambdas/domain/records';
import { onboardingStatus } from '../../lambdas/domain/solution-status';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import type { RecordId } from '../args';
import { EXIT, OpsError } from '../ops-error';
import { attemptsOf, errorText, when, type CommandResult } from '../format';

/** What an ID names: an onboarding, the items holding a solution, or every onboarding of an app. */
export type Found = { kind: 'onboarding' | 'solution' | 'app'; id: string; onboardings: Onboarding[] };

/**
 * The onboardings an ID concerns, whole: an onboarding ID its own; a solution ID (the `bySolutionId`
 * index) those of the items holding it; otherwise an app ID (the `byAppId` index) those of its items.
 */
export async function findById(store: RecordStore, recordId: RecordId): Promise<Found> {
  if (recordId.kind === 'onboarding') {
    const onboarding = await store.getOnboarding(recordId.id);
    if (!onboarding) throw OpsError.notFound(`no onboarding ${recordId.id} in this table`);
    return { kind: 'onboarding', id: recordId.id, onboardings: [onboarding] };
  }
  const bySolution = await store.findBySolutionId(recordId.id);
  const items = bySolution.length > 0 ? bySolution : await store.findByAppId(recordId.id);
  if (items.length === 0) throw OpsError.notFound(`no solution or app ${recordId.id} in this table`);
  const onboardings: Onboarding[] = [];
  for (const onboardingId of new Set(items.map((i) => i.onboardingId))) {
    const onboarding = await store.getOnboarding(onboardingId);
    if (onboarding) onboardings.push(onboarding);
  }
  onboardings.sort((a, b) => (a.onboarding.createdAt < b.onboarding.createdAt ? 1 : -1));
  return { kind: bySolution.length > 0 ? 'solution' : 'app', id: recordId.id, onboardings };
}

/** An onboarding as ops reads it: never its token fingerprint. */
function onboardingView({ onboarding, solutions }: Onboarding, only?: (s: SolutionRecord) => boolean) {
  const { tokenFingerprint: _fingerprint, ...rest } = onboarding;
  return { ...rest, status: onboardingStatus(solutions), solutions: solutions.filter(only ?? (() => true)) };
}

function timelineLine(entry: HistoryEntry): string {
  const attempt = entry.attempt === undefined ? '' : `attempt ${entry.attempt}`;
  return ['   ', when(entry.at), entry.status.padEnd(20), entry.by.padEnd(8), attempt.padEnd(10), [entry.note, errorText(entry.error)].filter(Boolean).join('; ')].join(' ').trimEnd();
}

function solutionLines(s: SolutionRecord): string[] {
  const lines = [
    `  app ${s.appId} "${s.appName}": ${s.status}${s.solutionId ? `, solution ${s.solutionId}` : ''}`,
    `    name ${s.solutionName}; attempts ${attemptsOf(s)}; created ${when(s.createdAt)}, changed ${when(s.updatedAt)}${s.nextAttemptAt ? `; next attempt by ${when(s.nextAttemptAt)}` : ''}`,
  ];
  if (s.lastError) lines.push(`    last error: ${errorText(s.lastError, true)}`);
  for (const d of s.lastError?.differences ?? []) lines.push(`      ${d.field}: expected ${d.expected}, Graph has ${d.actual}`);
  lines.push(`    timeline${s.historyDropped ? ` (${s.historyDropped} older entries dropped after the first)` : ''}:`);
  lines.push(...(s.history ?? []).map(timelineLine));
  return lines;
}

export async function showCommand(store: RecordStore, recordId: RecordId): Promise<CommandResult> {
  const found = await findById(store, recordId);
  // A solution ID shows the items that hold it; an app ID its items; an onboarding every item.
  const only = found.kind === 'onboarding' ? undefined : (s: SolutionRecord) => (found.kind === 'solution' ? s.solutionId === found.id : s.appId === found.id);
  const views = found.onboardings.map((o) => onboardingView(o, only));
  const lines: string[] = [];
  for (const view of views) {
    if (lines.length) lines.push('');
    lines.push(`Onboarding ${view.onboardingId}: ${view.status}, started ${when(view.createdAt)}${view.techProviderUserId ? ` by Tech Provider user ${view.techProviderUserId}` : ''}`);
    lines.push(`  apps selected: ${view.apps.map((a) => `${a.appId} "${a.name}"`).join(', ')}; create messages ${view.enqueuedAt ? `sent ${when(view.enqueuedAt)}` : 'not all sent (the same login posted again sends them)'}`);
    for (const s of view.solutions) lines.push(...solutionLines(s));
  }
  return { data: { kind: found.kind, id: found.id, onboardings: views }, lines, exitCode: EXIT.ok };
}
