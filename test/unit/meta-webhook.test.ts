import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { handshakeChallenge, isSignedByMeta } from '../../lambdas/webhook/meta-authentication';
import { SCHEDULE } from '../../lambdas/schedule';
import { readDelivery, type WebhookDelivery } from '../../lambdas/webhook/partner-solutions';

/** Meta's signed example (test/contract/graph-examples.json). */
const examples = JSON.parse(readFileSync(new URL('../contract/graph-examples.json', import.meta.url), 'utf8')) as {
  examples: { name: string; request: { raw_body?: string; headers?: Record<string, string>; query?: Record<string, string> }; signing_secret?: string }[];
};
const delivery = examples.examples.find((e) => e.name === 'partner_solutions webhook delivery')!;
const RAW = Buffer.from(delivery.request.raw_body!, 'utf8');
const SIGNATURE = delivery.request.headers!['x-hub-signature-256']!;
const SECRET = delivery.signing_secret!;
const sign = (body: Buffer | string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('X-Hub-Signature-256', () => {
  test('Meta’s example verifies byte for byte with its signing secret', () => {
    expect(isSignedByMeta(RAW, SIGNATURE, SECRET)).toBe(true);
  });

  test.each([
    ['a tampered body (one character)', Buffer.from(delivery.request.raw_body!.replace('DEACTIVATED', 'DEACTIVATEd')), SIGNATURE, SECRET],
    ['the same JSON re-serialized (spacing): the raw bytes are signed, not the object', Buffer.from(JSON.stringify(JSON.parse(delivery.request.raw_body!), null, 1)), SIGNATURE, SECRET],
    ['another app’s secret', RAW, sign(RAW, 'another-app-secret'), SECRET],
    ['no header', RAW, undefined, SECRET],
    ['an empty header', RAW, '', SECRET],
    ['the sha1 prefix of X-Hub-Signature', RAW, SIGNATURE.replace('sha256=', 'sha1='), SECRET],
    ['no prefix', RAW, SIGNATURE.replace('sha256=', ''), SECRET],
    ['upper-case hex', RAW, `sha256=${SIGNATURE.slice(7).toUpperCase()}`, SECRET],
    ['a truncated digest', RAW, SIGNATURE.slice(0, -2), SECRET],
    ['a digest with trailing junk', RAW, `${SIGNATURE}00`, SECRET],
  ])('refuses %s', (_, body, header, secret) => {
    expect(isSignedByMeta(body, header, secret)).toBe(false);
  });
});

describe('subscription handshake', () => {
  const TOKEN = 'our-verify-token';
  const query = (q: Record<string, string>) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN, 'hub.challenge': '1158201444', ...q });

  test('echoes the challenge for subscribe with our verify token (Meta’s example query)', () => {
    const example = examples.examples.find((e) => e.name === 'webhook subscription handshake')!.request.query!;
    expect(handshakeChallenge({ ...example, 'hub.verify_token': TOKEN }, TOKEN)).toBe('1158201444');
  });

  test.each([
    ['another verify token', query({ 'hub.verify_token': 'guess' })],
    ['a verify token that only starts like ours', query({ 'hub.verify_token': `${TOKEN}x` })],
    ['no verify token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['another mode', query({ 'hub.mode': 'unsubscribe' })],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN }],
    ['a challenge that is markup, not a number', query({ 'hub.challenge': '<script>alert(1)</script>' })],
  ])('refuses %s', (_, q) => {
    expect(handshakeChallenge(q as Record<string, string>, TOKEN)).toBeUndefined();
  });
});

describe('partner_solutions deliveries', () => {
  const at = new Date('2026-11-28T10:00:00Z');
  const read = (body: string, receivedAt = at) => readDelivery(body, receivedAt, SCHEDULE.webhookMaxChanges);
  const news = (body: string) => (read(body) as WebhookDelivery).news;
  const change = { field: 'partner_solutions', value: { solution_id: '42', solution_status: 'ACTIVE' } };

  test('reads Meta’s example: the solution, its status, and the entry’s time', () => {
    expect(read(delivery.request.raw_body!)).toEqual({
      object: 'whatsapp_business_account',
      news: [{ solutionId: '1234567890123456', state: { status: 'DEACTIVATED' }, observedAt: new Date(1764316800 * 1000), source: 'webhook' }],
      clients: [],
      ignored: 0,
      malformed: 0,
      clientsMalformed: 0,
    });
  });

  test('fields, changes and objects it does not use are ignored, never refused; an entry or change without what it needs is counted apart, the rest still read', () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      extra: { anything: true },
      entry: [
        {
          id: '1',
          time: 1764316900,
          unknown: [1, 2],
          changes: [
            { field: 'account_update', value: { event: 'ACCOUNT_VIOLATION' } },
            { field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_id: '42', solution_status: 'PENDING', more: 'x' } },
            { field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_status: 'ACTIVE' } },
          ],
        },
        { id: '2', changes: [{ field: 'partner_solutions', value: { solution_id: '43', solution_status: 'ACTIVE' } }] },
        { id: '3', time: null, changes: 'none' },
        { id: '4', time: 1764317000, changes: [null, 7, { field: 'partner_solutions', value: { solution_id: '44', solution_status: 'REJECTED' } }] },
      ],
    });
    expect(read(body)).toEqual({
      object: 'whatsapp_business_account',
      news: [
        { solutionId: '42', state: { status: 'PENDING' }, observedAt: new Date(1764316900 * 1000), source: 'webhook' },
        // No entry time: news of when it arrived.
        { solutionId: '43', state: { status: 'ACTIVE' }, observedAt: at, source: 'webhook' },
        { solutionId: '44', state: { status: 'REJECTED' }, observedAt: new Date(1764317000 * 1000), source: 'webhook' },
      ],
      clients: [],
      ignored: 1,
      malformed: 4,
      clientsMalformed: 0,
    });
    expect(read('{"object":"page","entry":[]}')).toEqual({ object: 'page', news: [], clients: [], ignored: 0, malformed: 0, clientsMalformed: 0 });
  });

  test('another object’s delivery is read as nothing, even with fields named like ours: every change ignored', () => {
    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1764316900, changes: [change, { field: 'account_update', value: { event: 'PARTNER_REMOVED', waba_info: { waba_id: '1', owner_business_id: '2' } } }] }] });
    expect(read(body)).toEqual({ object: 'page', news: [], clients: [], ignored: 2, malformed: 0, clientsMalformed: 0 });
  });

  test('an entry time far ahead of our clock (milliseconds, say) counts as news of its arrival; a few minutes of skew are kept', () => {
    const envelope = (time: number) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ time, changes: [change] }] });
    const inMs = at.getTime();
    expect(news(envelope(inMs))[0]?.observedAt).toEqual(at);
    const skewed = at.getTime() / 1000 + 120;
    expect(news(envelope(skewed))[0]?.observedAt).toEqual(new Date(skewed * 1000));
  });

  test.each([1e13, 8.64e12 + 1, Number.MAX_VALUE])('an entry time %d no Date can hold counts as news of its arrival, a valid date', (time) => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ time, changes: [change] }] });
    const observedAt = news(body)[0]?.observedAt;
    expect(observedAt).toEqual(at);
    expect(observedAt?.toISOString()).toBe(at.toISOString());
  });

  test('a body that is not an envelope at all (no string object, no entry array) is undefined', () => {
    for (const body of ['not json', '{}', '{"hello":"world"}', '[]', 'null', '{"entry":"nope"}', '{"entry":[]}', '{"object":"whatsapp_business_account"}', '{"object":7,"entry":[]}']) {
      expect(read(body)).toBeUndefined();
    }
  });

  test('more changes than webhookMaxChanges, in all the entries, is too large: nothing of it is read', () => {
    const entries = (count: number) => Array.from({ length: count }, (_, i) => ({ id: String(i), time: 1764316900, changes: [change] }));
    const body = (count: number) => JSON.stringify({ object: 'whatsapp_business_account', entry: entries(count) });
    expect(news(body(SCHEDULE.webhookMaxChanges))).toHaveLength(SCHEDULE.webhookMaxChanges);
    expect(read(body(SCHEDULE.webhookMaxChanges + 1))).toBe('too-large');
    expect(read(body(20_000))).toBe('too-large');
    // Changes are counted across entries, not entries alone.
    expect(read(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: Array(SCHEDULE.webhookMaxChanges + 1).fill(change) }] }))).toBe('too-large');
  });
});
