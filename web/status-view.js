// The selected apps, one row per app, updated in place as their solutions move on. A row keeps its
// size through pending → creating → created → accepted (no layout shift), and each change is
// announced once through the page's live region rather than by re-reading the whole list.

import { launchSnippet } from './embedded-signup.js';
import { clientsJoined, retryNote, solutionProblem } from './messages.js';
import { NO_LONGER_ACTIVE, STATUS_TONES } from './solution-statuses.js';

/**
 * `steps`: filled segments of the row's 4-step bar. Each status's `tone` comes from the transition
 * table (solution-statuses.js, generated): its colour and what the row offers: `ready` a usable
 * solution ID (Copy, Embedded Signup code), `ending` a solution on its way out, `failed` one that is
 * not usable; both of those say why and what to do.
 */
const LABELS = {
  PENDING: { label: 'Waiting to be created', steps: 1 },
  CREATING: { label: 'Being created…', steps: 2 },
  CREATED: { label: 'Created, being accepted…', steps: 3 },
  ACCEPTED: { label: 'Accepted, ready to use', steps: 4 },
  EXISTING: { label: 'Already connected', steps: 4 },
  CREATE_FAILED: { label: 'Could not be created', steps: 2 },
  ACCEPT_FAILED: { label: 'Created, not accepted', steps: 4 },
  REJECTED: { label: 'Declined, no longer usable', steps: 4 },
  PENDING_DEACTIVATION: { label: 'Deactivation requested', steps: 4 },
  DEACTIVATED: { label: 'Deactivated, no longer usable', steps: 4 },
};
const STATUSES = Object.fromEntries(Object.entries(LABELS).map(([status, shown]) => [status, { ...shown, tone: STATUS_TONES[status] }]));

/** The statuses this page shows: the server's, name for name (test/unit/page-contract.test.ts checks). */
export const SHOWN_STATUSES = Object.keys(STATUSES);

const statusInfo = (status) => STATUSES[status] ?? { label: String(status).toLowerCase(), steps: 1, tone: 'working' };

/** ACCEPTED, or EXISTING: a solution ID the Tech Provider can use. */
export const isReady = (status) => statusInfo(status).tone === 'ready';

/** Moved on after it was usable: declined, deactivated, or a deactivation requested. */
export { NO_LONGER_ACTIVE };
export const isNoLongerActive = (status) => NO_LONGER_ACTIVE.includes(status);

/** On its way, with a failed attempt behind it: the pipeline retries it (docs/design.md §3 `attempts`, `nextAttemptAt`, `error`). */
export const isRetrying = (solution) => statusInfo(solution.status).tone === 'working' && solution.error !== undefined;

const COPIED_FOR_MS = 2000;

/** What a retry note says changes only with a new attempt. */
const retryKey = (solution) => (isRetrying(solution) ? `${solution.attempts}@${solution.nextAttemptAt}` : undefined);

/** The count of businesses that joined, where the row shows it: a usable solution whose answer carries `clients`. */
const clientsShown = (solution) => (isReady(solution.status) && solution.solutionId && Number.isInteger(solution.clients) ? solution.clients : undefined);

/** Each row's two things to copy: what is copied, and what the page says about it. */
const COPYABLE = {
  id: {
    text: (row) => row.solutionId,
    source: '.solution-id',
    copied: (row) => `Solution ID of ${row.name} copied.`,
    selected: 'The solution ID is selected: press Ctrl+C (⌘C on a Mac) to copy it.',
  },
  snippet: {
    text: (row) => launchSnippet(row.solutionId),
    source: '.snippet-code',
    copied: (row) => `Embedded Signup code of ${row.name} copied.`,
    selected: 'The Embedded Signup code is selected: press Ctrl+C (⌘C on a Mac) to copy it.',
  },
};

export function createSolutionList({ list, template, announce }) {
  const rows = new Map();

  function addRow(solution) {
    const item = template.content.firstElementChild.cloneNode(true);
    const name = solution.appName || solution.appId;
    item.querySelector('.app-name').textContent = name;
    item.querySelector('.app-id').textContent = `App ${solution.appId}`;
    item.querySelector('.copy-id .copy-target').textContent = ` the solution ID of ${name}`;
    item.querySelector('.copy-snippet .copy-target').textContent = ` the Embedded Signup code of ${name}`;
    item.querySelector('.snippet-box').setAttribute('aria-label', `Embedded Signup code of ${name}`);
    const row = { item, name, status: undefined, solutionId: undefined, retry: undefined, clients: undefined, snippetShown: false };
    item.querySelector('.copy-id').addEventListener('click', () => copy(row, 'id'));
    item.querySelector('.copy-snippet').addEventListener('click', () => copy(row, 'snippet'));
    rows.set(solution.appId, row);
    list.append(item);
    return row;
  }

  function fill(row, solution) {
    const info = statusInfo(solution.status);
    const ready = Boolean(solution.solutionId) && info.tone === 'ready';
    row.status = solution.status;
    row.solutionId = solution.solutionId;
    row.item.dataset.status = solution.status;
    row.item.dataset.tone = info.tone;
    row.item.querySelectorAll('.step-bar > span').forEach((step, i) => step.classList.toggle('filled', i < info.steps));
    row.item.querySelector('.state-label').textContent = info.label;
    const id = row.item.querySelector('.solution-id');
    id.textContent = solution.solutionId ?? 'not created yet';
    id.classList.toggle('placeholder', !solution.solutionId);
    // Hidden by visibility, not removed: the line keeps its height whether or not it can be copied.
    row.item.querySelector('.copy-id').classList.toggle('unavailable', !ready);
    fillSnippet(row, info.tone, ready);
    const clients = fillClients(row, solution, info.tone);
    const problem = info.tone === 'failed' || info.tone === 'ending' ? solutionProblem(solution) : undefined;
    const retrying = isRetrying(solution) ? retryNote(solution) : '';
    row.retry = retryKey(solution);
    row.item.querySelector('.retry-note').textContent = retrying;
    row.item.querySelector('.failure-text').textContent = problem?.text ?? '';
    row.item.querySelector('.failure-detail').textContent = problem?.detail ?? (retrying && solution.error.message ? `Facebook said: ${solution.error.message}` : '');
    // A count of none is not news: said on the row, not announced.
    const joined = clients ? `. ${clientsJoined(clients)}` : '';
    return `${row.name}: ${info.label}${problem ? `. ${problem.text}` : ''}${retrying ? `. ${retrying}` : ''}${joined}`;
  }

  /**
   * On its way, the row holds a one-line note where the code will be; once usable, the code's
   * disclosure takes that line (closed, so that no row moves while others are still changing;
   * `settle()` opens it). Anything else has no code at all: it must not be used.
   */
  function fillSnippet(row, tone, ready) {
    const slot = row.item.querySelector('.snippet-slot');
    const details = slot.querySelector('.snippet');
    slot.hidden = !(ready || tone === 'working');
    slot.querySelector('.snippet-wait').hidden = ready;
    details.hidden = !ready;
    slot.querySelector('.snippet-code').textContent = ready ? launchSnippet(row.solutionId) : '';
    if (!ready) {
      details.open = false;
      row.snippetShown = false;
    }
  }

  /**
   * Under a usable solution, how many businesses joined through it. The line is held (blank) while
   * the app is on its way, like the snippet's, and gone with any other status. Returns the count shown.
   */
  function fillClients(row, solution, tone) {
    const line = row.item.querySelector('.clients-joined');
    const count = clientsShown(solution);
    row.clients = count;
    line.hidden = tone !== 'working' && tone !== 'ready';
    line.classList.toggle('unavailable', count === undefined);
    line.textContent = count === undefined ? '' : clientsJoined(count);
    return count;
  }

  async function copy(row, what) {
    const copyable = COPYABLE[what];
    const button = row.item.querySelector(`.copy-${what}`);
    try {
      await navigator.clipboard.writeText(copyable.text(row));
      const label = button.querySelector('.copy-label');
      label.textContent = 'Copied';
      setTimeout(() => (label.textContent = 'Copy'), COPIED_FOR_MS);
      announce(copyable.copied(row));
    } catch {
      // No clipboard access (an older browser, or a permission policy): select it for Ctrl+C instead.
      window.getSelection()?.selectAllChildren(row.item.querySelector(copyable.source));
      announce(copyable.selected);
    }
  }

  return {
    reset() {
      rows.clear();
      list.replaceChildren();
    },
    /**
     * Shows `solutions` ({appId, appName, status, solutionId?, clients?, error?}) and announces what changed.
     * Returns whether anything did.
     */
    update(solutions) {
      const changes = solutions
        .map((solution) => {
          const row = rows.get(solution.appId) ?? addRow(solution);
          const changed = row.status !== solution.status || row.solutionId !== solution.solutionId || row.retry !== retryKey(solution) || row.clients !== clientsShown(solution);
          return changed ? fill(row, solution) : undefined;
        })
        .filter(Boolean);
      if (changes.length > 0) announce(changes.join('. '));
      return changes.length > 0;
    },
    /** Every app is final: nothing else will move, so each usable solution's code opens (once: a closed one stays closed). */
    settle() {
      for (const row of rows.values()) {
        if (row.snippetShown || !isReady(row.status) || !row.solutionId) continue;
        row.item.querySelector('.snippet').open = true;
        row.snippetShown = true;
      }
    },
  };
}
