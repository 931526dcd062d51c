// The selected apps, one row per app, updated in place as their solutions move on. A row keeps its
// size through pending → creating → created → accepted (no layout shift), and each change is
// announced once through the page's live region rather than by re-reading the whole list.

import { retryNote, solutionProblem } from './messages.js';

/** `steps`: filled segments of the row's 4-step bar; `tone`: its colour and whether the ID is usable. */
const STATUSES = {
  PENDING: { label: 'Waiting to be created', steps: 1, tone: 'working' },
  CREATING: { label: 'Being created…', steps: 2, tone: 'working' },
  CREATED: { label: 'Created, being accepted…', steps: 3, tone: 'working' },
  ACCEPTED: { label: 'Accepted, ready to use', steps: 4, tone: 'ready' },
  EXISTING: { label: 'Already connected', steps: 4, tone: 'ready' },
  CREATE_FAILED: { label: 'Could not be created', steps: 2, tone: 'failed' },
  ACCEPT_FAILED: { label: 'Created, not accepted', steps: 4, tone: 'failed' },
  REJECTED: { label: 'Declined', steps: 4, tone: 'failed' },
  PENDING_DEACTIVATION: { label: 'Being deactivated', steps: 4, tone: 'failed' },
  DEACTIVATED: { label: 'Deactivated', steps: 4, tone: 'failed' },
};

const statusInfo = (status) => STATUSES[status] ?? { label: String(status).toLowerCase(), steps: 1, tone: 'working' };

/** ACCEPTED, or EXISTING: a solution ID the Tech Provider can use. */
export const isReady = (status) => statusInfo(status).tone === 'ready';

/** On its way, with a failed attempt behind it: the pipeline retries it (DESIGN.md §3 `attempts`, `nextAttemptAt`, `error`). */
export const isRetrying = (solution) => statusInfo(solution.status).tone === 'working' && solution.error !== undefined;

const COPIED_FOR_MS = 2000;

/** What a retry note says changes only with a new attempt. */
const retryKey = (solution) => (isRetrying(solution) ? `${solution.attempts}@${solution.nextAttemptAt}` : undefined);

export function createSolutionList({ list, template, announce }) {
  const rows = new Map();

  function addRow(solution) {
    const item = template.content.firstElementChild.cloneNode(true);
    const name = solution.appName || solution.appId;
    item.querySelector('.app-name').textContent = name;
    item.querySelector('.app-id').textContent = `App ${solution.appId}`;
    item.querySelector('.copy-target').textContent = ` the solution ID of ${name}`;
    const row = { item, name, status: undefined, solutionId: undefined, retry: undefined };
    item.querySelector('.copy').addEventListener('click', () => copy(row));
    rows.set(solution.appId, row);
    list.append(item);
    return row;
  }

  function fill(row, solution) {
    const info = statusInfo(solution.status);
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
    row.item.querySelector('.copy').classList.toggle('unavailable', !(solution.solutionId && info.tone === 'ready'));
    const problem = info.tone === 'failed' ? solutionProblem(solution) : undefined;
    const retrying = isRetrying(solution) ? retryNote(solution) : '';
    row.retry = retryKey(solution);
    row.item.querySelector('.retry-note').textContent = retrying;
    row.item.querySelector('.failure-text').textContent = problem?.text ?? '';
    row.item.querySelector('.failure-detail').textContent = problem?.detail ?? (retrying && solution.error.message ? `Facebook said: ${solution.error.message}` : '');
    return `${row.name}: ${info.label}${problem ? `. ${problem.text}` : ''}${retrying ? `. ${retrying}` : ''}`;
  }

  async function copy(row) {
    const button = row.item.querySelector('.copy');
    try {
      await navigator.clipboard.writeText(row.solutionId);
      const label = button.querySelector('.copy-label');
      label.textContent = 'Copied';
      setTimeout(() => (label.textContent = 'Copy'), COPIED_FOR_MS);
      announce(`Solution ID of ${row.name} copied.`);
    } catch {
      // No clipboard access (an older browser, or a permission policy): select it for Ctrl+C instead.
      window.getSelection()?.selectAllChildren(row.item.querySelector('.solution-id'));
      announce('The solution ID is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  }

  return {
    reset() {
      rows.clear();
      list.replaceChildren();
    },
    /** Shows `solutions` ({appId, appName, status, solutionId?, error?}) and announces what changed. */
    update(solutions) {
      const changes = solutions
        .map((solution) => {
          const row = rows.get(solution.appId) ?? addRow(solution);
          const changed = row.status !== solution.status || row.solutionId !== solution.solutionId || row.retry !== retryKey(solution);
          return changed ? fill(row, solution) : undefined;
        })
        .filter(Boolean);
      if (changes.length > 0) announce(changes.join('. '));
    },
  };
}
