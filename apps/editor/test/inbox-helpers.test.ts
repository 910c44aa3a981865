import { describe, expect, it } from 'vitest';
import { stepNameOf } from '../src/inbox/describe-wait';
import { payloadSchema } from '../src/inbox/payload-form';
import { relativeTime } from '../src/inbox/relative-time';
import { formFields } from '../src/run/schema-form';

describe('inbox helpers', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('says times relatively, a runner clock a little ahead reading as just now', () => {
    expect(relativeTime('2026-12-07T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-12-07T12:00:30Z', now)).toBe('just now');
    expect(relativeTime('2026-12-07T11:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-12-07T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-12-06T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-12-04T12:00:00Z', now)).toBe('3 days ago');
    expect(relativeTime('2026-12-09T12:00:00Z', now)).toBe('in 2 days');
    expect(relativeTime('not a time', now)).toBe('not a time');
  });

  it('draws an object payload as fields: long or multi-line text in a textarea, numbers as numbers, nested values as JSON', () => {
    const fields = formFields(payloadSchema({ customerId: 'cus_1', refundUsd: 480, rate: 0.5, reply: 'Hi,\n\nDone.', send: true, meta: { a: 1 } }));
    expect(fields?.map((f) => [f.name, f.widget])).toEqual([
      ['customerId', 'text'],
      ['refundUsd', 'integer'],
      ['rate', 'number'],
      ['reply', 'textarea'],
      ['send', 'checkbox'],
      ['meta', 'json'],
    ]);
    expect(payloadSchema('a string')).toBeUndefined();
    expect(payloadSchema([1, 2])).toBeUndefined();
    expect(payloadSchema({})).toBeUndefined();
  });

  it('names the step by its name, else by its id', () => {
    const flow = { nodes: [{ id: 'approve_reply', name: 'Sign off reply' }] } as never;
    expect(stepNameOf(flow, 'approve_reply')).toBe('Sign off reply');
    expect(stepNameOf(null, 'approve_reply')).toBe('approve_reply');
  });
});
