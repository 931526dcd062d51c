import type { ClientRecord } from '../../lambdas/domain/clients/client-record';
import { type HistoryEntry, type Onboarding, type SolutionRecord } from '../../lambdas/domain/records';
import { onboardingStatusOf } from '../../lambdas/domain/onboarding-view';
import type { RecordId } from '../args';
import { EXIT, OpsError } from '../ops-error';
import { attemptsOf, errorText, when, type CommandResult } from '../format';
import type { OpsTarget } from '../target';
import { clientSummary } from './clients';

/** What an ID names: an onboarding, the items holding a solution, or every onboarding of an app. */
export type Found = { kind: 'onboarding' | 'solution' | 'app'; id: string; onboardings: Onboarding[] };
/** A WABA's client records: one per solution of ours it joined through. */
export type FoundClients = { kind: 'waba'; id: string; clients: ClientRecord[] };

type Stores = Pick<OpsTarget, 'store' | 'clients'>;

/**
 * What an ID concerns, whole: an onboarding ID its onboarding; a solution ID (the `bySolutionId`
 * index) the onboardings of the items holding it; an app ID (the `byAppId` index) those of its
 * items; otherwise a WABA ID its client records (its links to them).
 */
export async function findById({ store, clients }: Stores, recordId: RecordId): Promise<Found | FoundClients> {
  if (recordId.kind === 'onboarding') {
    const onboarding = await store.getOnboarding(recordId.id);
    if (!onboarding) throw OpsError.notFound(`no onboarding ${recordId.id} in this table`);
    return { kind: 'onboarding', id: recordId.id, onboardings: [onboarding] };
  }
  const bySolution = await store.findBySolutionId(recordId.id);
  const items = bySolution.length > 0 ? bySolution : await store.findByAppId(recordId.id);
  if (items.length === 0) {
    const ofWaba = await clients.clientsOfWaba(recordId.id);
    if (ofWaba.length === 0) throw OpsError.notFound(`no solution, app or WABA ${recordId.id} in this table`);
    return { kind: 'waba', id: recordId.id, clients: ofWaba.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)) };
  }
  const onboardings: Onboarding[] = [];
  for (const onboardingId of new Set(items.map((i) => i.onboardingId))) {
    const onboarding = await store.getOnboarding(onboardingId);
    if (onboarding) onboardings.push(onboarding);
  }
  onboardings.sort((a, b) => (a.onboarding.createdAt < b.onboarding.createdAt ? 1 : -1));
  return { kind: bySolution.length > 0 ? 'solution' : 'app', id: recordId.id, onboardings };
}

/** An onboarding as ops reads it: never its token fingerprint. */
function onboardingView(found: Onboarding, only?: (s: SolutionRecord) => boolean) {
  const { tokenFingerprint: _fingerprint, status: verification, ...rest } = found.onboarding;
  return { ...rest, ...(verification ? { verification } : {}), status: onboardingStatusOf(found), solutions: found.solutions.filter(only ?? (() => true)) };
}

/** Where the check of its login stands, for an onboarding intake could not check at once (none for the others). */
function verificationLines(view: ReturnType<typeof onboardingView>): string[] {
  if (view.verification === 'VERIFY_FAILED') return [`  login check failed: ${view.verifyError ? `${view.verifyError.code}: ${view.verifyError.message}` : '-'}`];
  if (view.verification !== 'VERIFYING') return [];
  const lines = [
    `  login being checked (Graph was busy at intake) until ${when(view.verifyBy)}, the token's lifetime; verify message ${view.enqueuedAt ? `sent ${when(view.enqueuedAt)}` : 'not sent (the same login posted again sends it)'}${view.nextAttemptAt ? `; next attempt by ${when(view.nextAttemptAt)}` : ''}`,
  ];
  if (view.lastError) lines.push(`    last error: ${errorText(view.lastError, true)}`);
  return lines;
}

function timelineLine(entry: HistoryEntry<string>): string {
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
  lines.push(...timelineLines(s));
  return lines;
}

/** A record's timeline, solution's or client's alike. */
function timelineLines(record: { history?: HistoryEntry<string>[]; historyDropped?: number }): string[] {
  return [`    timeline${record.historyDropped ? ` (${record.historyDropped} older entries dropped after the first)` : ''}:`, ...(record.history ?? []).map(timelineLine)];
}

function clientLines(c: ClientRecord): string[] {
  const toldBy = Object.entries(c.toldBy).map(([source, at]) => `${source} ${when(at)}`);
  const lines = [
    `  solution ${c.solutionId} (app ${c.appId}, onboarding ${c.onboardingId}): ${c.status}`,
    `    owner business ${c.ownerBusinessId}; told by ${toldBy.join(', ') || '-'}; share attempts ${c.shareAttempts ?? 0}; created ${when(c.createdAt)}, changed ${when(c.updatedAt)}${c.nextAttemptAt ? `; next attempt by ${when(c.nextAttemptAt)}` : ''}`,
  ];
  if (c.allocationConfigId || c.fundingId) lines.push(`    credit allocation ${c.allocationConfigId ?? '-'}; WABA funding ${c.fundingId ?? '-'}${c.shareRetryUntil ? `; retried until ${when(c.shareRetryUntil)}` : ''}`);
  if (c.lastError) lines.push(`    last error: ${errorText(c.lastError, true)}`);
  if (c.removedBy) lines.push(`    left: ${c.removedBy} at ${when(c.removedAt)}`);
  lines.push(...timelineLines(c));
  return lines;
}

function showClients(found: FoundClients): CommandResult {
  const lines = [`WABA ${found.id}: ${found.clients.length === 1 ? 'a client through 1 solution' : `a client through ${found.clients.length} solutions`}`];
  for (const c of found.clients) lines.push(...clientLines(c));
  // The summary and the timeline: never more than a record holds.
  const clients = found.clients.map((c) => ({ ...clientSummary(c), history: c.history ?? [], ...(c.historyDropped ? { historyDropped: c.historyDropped } : {}) }));
  return { data: { kind: found.kind, id: found.id, clients }, lines, exitCode: EXIT.ok };
}

export async function showCommand(stores: Stores, recordId: RecordId): Promise<CommandResult> {
  const found = await findById(stores, recordId);
  if (found.kind === 'waba') return showClients(found);
  // A solution ID shows the items that hold it; an app ID its items; an onboarding every item.
  const only = found.kind === 'onboarding' ? undefined : (s: SolutionRecord) => (found.kind === 'solution' ? s.solutionId === found.id : s.appId === found.id);
  const views = found.onboardings.map((o) => onboardingView(o, only));
  const lines: string[] = [];
  for (const view of views) {
    if (lines.length) lines.push('');
    lines.push(`Onboarding ${view.onboardingId}: ${view.status}, started ${when(view.createdAt)}${view.techProviderUserId ? ` by Tech Provider user ${view.techProviderUserId}` : ''}`);
    if (view.verification) lines.push(...verificationLines(view));
    else lines.push(`  apps selected: ${view.apps.map((a) => `${a.appId} "${a.name}"`).join(', ')}; create messages ${view.enqueuedAt ? `sent ${when(view.enqueuedAt)}` : 'not all sent (the same login posted again sends them)'}`);
    for (const s of view.solutions) lines.push(...solutionLines(s));
  }
  return { data: { kind: found.kind, id: found.id, onboardings: views }, lines, exitCode: EXIT.ok };
}
