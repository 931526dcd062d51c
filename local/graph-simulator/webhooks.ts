import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountUpdateBody, hubSignature, partnerSolutionsBody, type AccountUpdateChange, type PartnerSolutionsChange } from './webhook-envelope';

/**
 * What Meta does with the app's webhook subscription (docs/graph-api.md § After acceptance →
 * Webhooks): it verifies the callback with the subscription handshake, then POSTs every change, signed
 * with the app secret, and retries what the callback does not take. A Graph answer never waits for a
 * delivery. Changes go out one at a time, in the order they happened, so a callback sees them in order
 * unless a control breaks that order on purpose: `resend` repeats an earlier delivery's bytes (a
 * duplicate, or an old one after newer ones), `send` makes up one of its own.
 */

/**
 * The waits before the 2nd … 6th attempt. Meta retries for hours, ever less often; the simulator
 * compresses that to seconds, so that tests and developers see the retries end.
 */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000] as const;
/** How long the handshake and each attempt wait for the callback (Meta does not document its timeout). */
const ANSWER_TIMEOUT_MS = 5000;
/** The log keeps the latest deliveries only: a long manual session must not grow without bound. */
const LOG_SIZE = 1000;
/** What a `badSignature` delivery is signed with: anything but the app secret. */
const WRONG_KEY = 'not-the-app-secret';

export interface WebhookSubscription {
  callbackUrl: string;
}

export interface WebhookDelivery {
  /** Counts every delivery since the last reset; `resend` names one by it. */
  index: number;
  at: string;
  /** `change`: a solution changed. `resend`, `send`: a control's delivery, attempted once, beside the queue. */
  origin: 'change' | 'resend' | 'send';
  /** For a resend, the delivery whose bytes it repeats. */
  resendOf?: number;
  /** The webhook field: a solution's change, or a client account's. */
  field: 'partner_solutions' | 'account_update';
  /** The solution it is about: `partner_solutions`' `solution_id`, or `account_update`'s `waba_info.solution_id` when it has one. */
  solutionId?: string;
  event: string;
  /** `partner_solutions` only: the envelope's `solution_status`. */
  status?: string;
  /** `account_update` only: `waba_info.waba_id`, when it has one. */
  wabaId?: string;
  /** The envelope's `entry[].time`. */
  time: number;
  rawBody: string;
  /** `bad`: signed with another key than the app secret, so that no verifier accepts it. */
  signature: 'good' | 'bad';
  attempts: number;
  /** The callback's answer to the last attempt: null before one, or when none came (network error, timeout). */
  lastHttpStatus: number | null;
  lastError?: string;
  /** `skipped`: there was no subscription to send it to. */
  outcome: 'pending' | 'delivered' | 'failed' | 'skipped';
}

/** The callback did not answer the subscription handshake with the challenge. */
export class WebhookHandshakeError extends Error {
  override readonly name = 'WebhookHandshakeError';
}

/** The changes queued since the last reset, and the switch that cancels them and whatever is under way. */
interface Lane {
  queue: WebhookDelivery[];
  draining: boolean;
  abort: AbortController;
}
const newLane = (): Lane => ({ queue: [], draining: false, abort: new AbortController() });

export class WebhookSender {
  private subscribed: WebhookSubscription | null = null;
  private readonly log: WebhookDelivery[] = [];
  private nextIndex = 0;
  private lane = newLane();
  private readonly running = new Set<Promise<void>>();

  /** `appSecret` signs every delivery; `verifyToken` is the one the app's dashboard holds, used when `subscribe` is given none. */
  constructor(private readonly keys: { appSecret: string; verifyToken: string }) {}

  /** The callback subscribed, without its verify token (which nothing echoes). */
  get subscription(): WebhookSubscription | null {
    return this.subscribed && { callbackUrl: this.subscribed.callbackUrl };
  }

  /** The latest deliveries, oldest first. */
  get deliveries(): readonly WebhookDelivery[] {
    return this.log;
  }

  /**
   * Meta's subscription handshake: `GET <callbackUrl>?hub.mode=subscribe&hub.verify_token=…&hub.challenge=<n>`;
   * only a 200 with exactly the challenge as body subscribes the callback (replacing any other). A
   * failed handshake leaves the current subscription as it was, as a failed verification in the app
   * dashboard does. Throws a TypeError for a callback that is no http(s) URL.
   */
  async subscribe(callbackUrl: string, verifyToken: string = this.keys.verifyToken): Promise<void> {
    const url = new URL(callbackUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`callbackUrl must be an http(s) URL, not ${callbackUrl}`);
    const challenge = String(randomInt(1_000_000_000, 2_147_483_647));
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.verify_token', verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    const lane = this.lane;
    let answer: { status: number; body: string };
    try {
      const response = await fetch(url, { signal: AbortSignal.any([lane.abort.signal, AbortSignal.timeout(ANSWER_TIMEOUT_MS)]) });
      answer = { status: response.status, body: await response.text() };
    } catch (error) {
      throw new WebhookHandshakeError(`the subscription handshake with ${callbackUrl} got no answer: ${errorMessage(error)}`);
    }
    if (answer.status !== 200) throw new WebhookHandshakeError(`the subscription handshake with ${callbackUrl} was answered HTTP ${answer.status}, not 200 with the challenge`);
    if (answer.body !== challenge) throw new WebhookHandshakeError(`the subscription handshake with ${callbackUrl} was answered HTTP 200 without the challenge as body`);
    // A reset during the handshake dropped every subscription, this one included.
    if (lane === this.lane) this.subscribed = { callbackUrl };
  }

  /** Ends the subscription: later changes, and queued ones not yet attempted, are `skipped`. */
  unsubscribe(): void {
    this.subscribed = null;
  }

  /** Queues the webhook for a solution's change; without a subscription it is only logged, as `skipped`. */
  solutionChanged(change: PartnerSolutionsChange): WebhookDelivery {
    return this.queue({ ...solutionSummary(change), rawBody: partnerSolutionsBody(change) });
  }

  /** Queues an `account_update` (a client onboarded, removed, the app uninstalled), in order with every other change. */
  accountUpdated(change: AccountUpdateChange): WebhookDelivery {
    return this.queue({ ...accountSummary(change), rawBody: accountUpdateBody(change) });
  }

  private queue(change: DeliverySummary & { rawBody: string }): WebhookDelivery {
    const delivery = this.record({ origin: 'change', ...change, signature: 'good' });
    if (!this.subscribed) {
      delivery.outcome = 'skipped';
      return delivery;
    }
    const lane = this.lane;
    lane.queue.push(delivery);
    if (!lane.draining) void this.track(this.drain(lane));
    return delivery;
  }

  /**
   * Sends an earlier delivery's exact bytes again (the latest one by default): a duplicate, or for an
   * older one an out-of-order delivery. Resolves once the callback answered the one attempt, with
   * the new log entry; undefined when the log holds no such delivery.
   */
  async resend(opts: { index?: number; badSignature?: boolean } = {}): Promise<WebhookDelivery | undefined> {
    const original = opts.index === undefined ? this.log.at(-1) : this.log.find((d) => d.index === opts.index);
    if (!original) return undefined;
    const { index, field, solutionId, event, status, wabaId, time, rawBody } = original;
    return this.sendOnce({ origin: 'resend', resendOf: index, field, solutionId, event, status, wabaId, time, rawBody, signature: opts.badSignature ? 'bad' : 'good' });
  }

  /** Sends a change of the caller's own making (an unknown status or solution, an old time): one attempt, as `resend`. */
  send(change: PartnerSolutionsChange, opts: { badSignature?: boolean } = {}): Promise<WebhookDelivery> {
    return this.sendOnce({ origin: 'send', ...solutionSummary(change), rawBody: partnerSolutionsBody(change), signature: opts.badSignature ? 'bad' : 'good' });
  }

  /** An `account_update` of the caller's own making (another solution's, a missing or wrong `waba_info`): one attempt, as `send`. */
  sendAccountUpdate(change: AccountUpdateChange, opts: { badSignature?: boolean } = {}): Promise<WebhookDelivery> {
    return this.sendOnce({ origin: 'send', ...accountSummary(change), rawBody: accountUpdateBody(change), signature: opts.badSignature ? 'bad' : 'good' });
  }

  /** Resolves once no delivery is queued, under way or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled(this.running);
  }

  /** No subscription and an empty log; whatever was pending is cancelled. */
  reset(): void {
    this.cancel();
    this.subscribed = null;
    this.log.length = 0;
    this.nextIndex = 0;
  }

  /** For a stopping server: cancels what is pending and ends the subscription, so nothing more is sent. */
  stop(): void {
    this.cancel();
    this.subscribed = null;
  }

  private cancel(): void {
    this.lane.abort.abort();
    for (const delivery of this.lane.queue) markCancelled(delivery);
    this.lane = newLane();
  }

  private record(fields: Omit<WebhookDelivery, 'index' | 'at' | 'attempts' | 'lastHttpStatus' | 'outcome'>): WebhookDelivery {
    const delivery: WebhookDelivery = { index: this.nextIndex++, at: new Date().toISOString(), ...fields, attempts: 0, lastHttpStatus: null, outcome: 'pending' };
    this.log.push(delivery);
    if (this.log.length > LOG_SIZE) this.log.shift();
    return delivery;
  }

  private async sendOnce(fields: Parameters<WebhookSender['record']>[0]): Promise<WebhookDelivery> {
    const delivery = this.record(fields);
    await this.track(this.deliver(delivery, this.lane.abort.signal, []));
    return delivery;
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    const done = () => void this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /** The queue, one delivery at a time, each until it is delivered or its retries run out. */
  private async drain(lane: Lane): Promise<void> {
    lane.draining = true;
    try {
      for (let next = lane.queue.shift(); next; next = lane.queue.shift()) await this.deliver(next, lane.abort.signal, RETRY_DELAYS_MS);
    } finally {
      lane.draining = false;
    }
  }

  /** Attempts a delivery until the callback answers 2xx; after a failed attempt, waits the next retry delay, if any is left. */
  private async deliver(delivery: WebhookDelivery, cancelled: AbortSignal, retryDelaysMs: readonly number[]): Promise<void> {
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': hubSignature(delivery.rawBody, delivery.signature === 'good' ? this.keys.appSecret : WRONG_KEY),
    };
    try {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) await sleep(retryDelaysMs[attempt - 1], undefined, { signal: cancelled });
        // Each attempt goes to the callback subscribed now, as Meta sends to the app's current callback URL.
        const callbackUrl = this.subscribed?.callbackUrl;
        if (!callbackUrl) {
          delivery.outcome = 'skipped';
          return;
        }
        delivery.attempts++;
        if (await this.attempt(delivery, callbackUrl, headers, cancelled)) {
          delivery.outcome = 'delivered';
          return;
        }
        if (attempt >= retryDelaysMs.length) {
          delivery.outcome = 'failed';
          return;
        }
      }
    } catch (error) {
      if (!cancelled.aborted) throw error;
      markCancelled(delivery);
    }
  }

  /** One POST; true when the callback took it. Throws only when cancelled. */
  private async attempt(delivery: WebhookDelivery, callbackUrl: string, headers: Record<string, string>, cancelled: AbortSignal): Promise<boolean> {
    try {
      const response = await fetch(callbackUrl, { method: 'POST', headers, body: delivery.rawBody, signal: AbortSignal.any([cancelled, AbortSignal.timeout(ANSWER_TIMEOUT_MS)]) });
      delivery.lastHttpStatus = response.status;
      delete delivery.lastError;
      // Nothing in the answer's body matters, but reading it frees the connection for the next delivery.
      await response.arrayBuffer();
      return response.ok;
    } catch (error) {
      if (cancelled.aborted) throw error;
      delivery.lastHttpStatus = null;
      delivery.lastError = errorMessage(error);
      return false;
    }
  }
}

function markCancelled(delivery: WebhookDelivery): void {
  delivery.outcome = 'failed';
  delivery.lastError = 'cancelled: the simulator was reset or stopped';
}

/** What the log tells of a delivery's change beside its bytes. */
type DeliverySummary = Pick<WebhookDelivery, 'field' | 'event' | 'time' | 'solutionId' | 'status' | 'wabaId'>;

function solutionSummary({ solutionId, event, status, time }: PartnerSolutionsChange): DeliverySummary {
  return { field: 'partner_solutions', solutionId, event, status, time };
}

/** A made-up `value` may lack any of these, or hold them with other types: the log keeps only strings. */
function accountSummary({ value, time }: AccountUpdateChange): DeliverySummary {
  const info = (value as { waba_info?: Record<string, unknown> }).waba_info;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const [event, solutionId, wabaId] = [text(value.event) ?? '', text(info?.solution_id), text(info?.waba_id)];
  return { field: 'account_update', event, time, ...(solutionId ? { solutionId } : {}), ...(wabaId ? { wabaId } : {}) };
}

/** fetch's own message ("fetch failed") hides the reason in `cause`. */
function errorMessage(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } };
  return [message, cause?.message].filter(Boolean).join(': ') || String(error);
}
