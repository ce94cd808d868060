import { BodyProblem, parseFluentEvent, parseJsonObject } from '../../../lambdas/core';
import { fluentEvent, fluentEventBody } from '../../support/factories';

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('Function: parseJsonObject', () => {
  it('returns the decoded text and the object', () => {
    // Prepare
    const text = '{"name":"Zoë 🚚","n":1}';

    // Act
    const parsed = parseJsonObject(utf8(text));

    // Assess
    expect(parsed).toEqual({ ok: true, text, object: { name: 'Zoë 🚚', n: 1 } });
  });

  it.each([
    [
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0xff, 0x7d]),
      BodyProblem.INVALID_UTF8,
      'The body is not valid UTF-8 text.',
    ],
    [
      'a truncated multi-byte character',
      utf8('{"a":"é"}').subarray(0, 7),
      BodyProblem.INVALID_UTF8,
      'The body is not valid UTF-8 text.',
    ],
    ['text that is not JSON', utf8('{"secret": tok'), BodyProblem.INVALID_JSON, 'The body is not valid JSON.'],
    ['an empty body', Buffer.alloc(0), BodyProblem.INVALID_JSON, 'The body is not valid JSON.'],
    ['a JSON array', utf8('[{"secret":1}]'), BodyProblem.NOT_AN_OBJECT, 'The body is JSON but not an object.'],
    ['JSON null', utf8('null'), BodyProblem.NOT_AN_OBJECT, 'The body is JSON but not an object.'],
    ['a JSON string', utf8('"secret"'), BodyProblem.NOT_AN_OBJECT, 'The body is JSON but not an object.'],
  ])('refuses %s without quoting it', (_case, body, problem, message) => {
    // Act
    const parsed = parseJsonObject(body);

    // Assess
    expect(parsed).toEqual({ ok: false, problem, message });
  });
});

describe('Function: parseFluentEvent', () => {
  it('returns the typed event, keeping unknown fields and turning numeric ids into text', () => {
    // Prepare
    const body = fluentEventBody({ accountId: 'ACME', retailerId: 7 as unknown as string, trailLogs: [{ a: 1 }] });

    // Act
    const parsed = parseFluentEvent(body);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      event: { ...fluentEvent(), retailerId: '7', trailLogs: [{ a: 1 }] },
      deduplicationKey: fluentEvent().id,
    });
  });

  it.each([
    ['9007199254740993', '9007199254740993'],
    ['9007199254740992', '9007199254740992'],
    ['77', '77'],
    ['77.0', '77.0'],
    ['7.7e1', '7.7e1'],
    ['-0', '-0'],
  ])('keeps the numeric id %s as its text as sent', (idToken, text) => {
    // Prepare
    const { id: _id, ...rest } = fluentEvent();
    const body = utf8(`{"id" : ${idToken} ,${JSON.stringify(rest).slice(1)}`);

    // Act
    const parsed = parseFluentEvent(body);

    // Assess
    expect(parsed).toMatchObject({ ok: true, event: { id: text }, deduplicationKey: { number: text } });
  });

  it('gives distinct de-duplication keys to ids that JSON.parse would make equal', () => {
    // Prepare
    const { id: _id, ...rest } = fluentEvent();
    const tokens = ['"77"', '77', '77.0', '7.7e1', '9007199254740992', '9007199254740993', '"9007199254740993"'];

    // Act
    const keys = tokens.map((token) => {
      const parsed = parseFluentEvent(utf8(`{"id":${token},${JSON.stringify(rest).slice(1)}`));
      return parsed.ok ? JSON.stringify(parsed.deduplicationKey) : 'refused';
    });

    // Assess
    expect(new Set(keys).size).toBe(tokens.length);
  });

  it('reads the id JSON.parse reads: the last of repeated members, and a name written with escapes', () => {
    // Prepare
    const { id: _id, ...rest } = fluentEvent();
    const body = utf8(
      `{"id":1,"nested":{"id":2,"list":[{"id":3}]},"\\u0069d":9007199254740993,${JSON.stringify(rest).slice(1)}`,
    );

    // Act
    const parsed = parseFluentEvent(body);

    // Assess
    expect(parsed).toMatchObject({ ok: true, event: { id: '9007199254740993' } });
  });

  it('accepts the documented required fields alone', () => {
    // Prepare
    const body = utf8(
      JSON.stringify({
        id: 'e1',
        name: 'N',
        accountId: 'A',
        retailerId: '1',
        entityId: '2',
        entityRef: 'R',
        entityType: 'ORDER',
      }),
    );

    // Act
    const parsed = parseFluentEvent(body);

    // Assess
    expect(parsed.ok).toBe(true);
  });

  it('names every missing or invalid field', () => {
    // Prepare
    const body = utf8(JSON.stringify({ ...fluentEvent(), id: undefined, name: '', entityType: 5 }));

    // Act
    const parsed = parseFluentEvent(body);

    // Assess
    expect(parsed).toEqual({
      ok: false,
      problem: BodyProblem.INVALID_EVENT,
      message: 'The body is not a Fluent event: missing or invalid id, name, entityType.',
    });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
  ])('refuses an %s event id, the de-duplication key, instead of treating every such event as one', (_case, id) => {
    // Act
    const parsed = parseFluentEvent(utf8(JSON.stringify(fluentEvent({ id }))));

    // Assess
    expect(parsed).toEqual({
      ok: false,
      problem: BodyProblem.INVALID_EVENT,
      message: 'The body is not a Fluent event: missing or invalid id.',
    });
  });

  it('passes on the JSON problem for a body that is not JSON', () => {
    // Act
    const parsed = parseFluentEvent(utf8('not json'));

    // Assess
    expect(parsed).toMatchObject({ ok: false, problem: BodyProblem.INVALID_JSON });
  });
});
