import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { decodeQueueMessage, QueuedWebhookAttribute } from '../../../lambdas/contract/queue-message';
import { toRecordAttributes } from '../../../tools/local/sqs-event-records';
import { acceptedResponse, errorResponse } from '../../../lambdas/receiver/receiver-responses';
import { ReceiverFailure, ReceiverRejection } from '../../../lambdas/receiver/receiver-outcomes';
import {
  ACCEPTED_RESPONSE_TEMPLATE,
  BODY_TOO_LARGE_ACTION,
  ERROR_RESPONSE_TEMPLATE,
  MAX_QUEUE_FIRST_BODY_BYTES,
  MAX_QUEUED_BASE64_BODY_CHARS,
  QUEUE_FIRST_MESSAGES,
  QueueFirstReason,
  SQS_SEND_MESSAGE_REQUEST_TEMPLATE,
} from '../../../lambdas/contract/sqs-integration-templates';
import { MAX_SQS_MESSAGE_BYTES } from '../../../lambdas/core/constants';
import { readSendMessageForm } from '../../../tools/local/sqs-query-form';
import { javaUrlEncode } from '../../../tools/local/vtl/java-url-encode';
import { renderMappingTemplate } from '../../../tools/local/vtl/render-mapping-template';
import { FluentSignatureVerifier, signFluentPayload } from '../../../lambdas/core';
import { fluentEventBody } from '../../support/factories';
import { testKeyPair } from '../../support/test-keys';

const QUEUE_URL = 'http://127.0.0.1:1/000000000000/fluent-webhooks';
const REQUEST_ID = '3f1d2c4b-5a69-4c55-9e0a-6a1f0c9e2b7d';
const RECEIVED_AT = Date.UTC(2026, 11, 1, 14, 2, 38, 123);
// Real signatures are base64 of RSA output: these carry every character that needs URL-encoding.
const SHA512_SIGNATURE = 'ab+/cd+/ef==';
const MD5_SIGNATURE = 'Zm9v+/8=';
const keys = { fluent: testKeyPair(1024, 'fluent'), stranger: testKeyPair(1024, 'stranger') };
const verifier = new FluentSignatureVerifier({ publicKeys: [keys.fluent.parsed] });

/** Renders the request template for a body and headers as API Gateway would, and reads the form as SQS does. */
function sendMessageInput(
  rawBody: Buffer,
  header: Record<string, string> = { 'fluent-signature': SHA512_SIGNATURE },
  route = 'orders',
): { form: string; input: SendMessageCommandInput } {
  const form = renderMappingTemplate(SQS_SEND_MESSAGE_REQUEST_TEMPLATE, {
    body: rawBody.toString('base64'),
    params: { path: { route }, header },
    context: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED_AT },
  }).output;
  const reading = readSendMessageForm(form, QUEUE_URL);
  if (!reading.ok) throw new Error(`SQS would refuse the form: ${reading.code} ${reading.message}`);
  return { form, input: reading.input };
}

/** What the consumer reads back from the message, through the one queue-message codec. */
function consumed(input: SendMessageCommandInput) {
  return decodeQueueMessage({
    body: input.MessageBody,
    messageAttributes: toRecordAttributes(input.MessageAttributes),
  });
}

describe('Function: javaUrlEncode ($util.urlEncode)', () => {
  it.each([
    ['a b', 'a+b'],
    ['+/=', '%2B%2F%3D'],
    ['*-._', '*-._'],
    ["!'()~", '%21%27%28%29%7E'],
    ['é', '%C3%A9'],
    ['😀', '%F0%9F%98%80'],
    ['\uD800', '%3F'],
    ['\r\n', '%0D%0A'],
  ])('encodes %j as URLEncoder.encode(value, UTF-8) does: %s', (value, encoded) => {
    // Act & Assess
    expect(javaUrlEncode(value)).toBe(encoded);
  });
});

describe('Template: the queue-first SendMessage request template', () => {
  it.each([
    ['multi-byte UTF-8', Buffer.from('{"id":"e1","name":"Zürich 東京 😀"}', 'utf8')],
    ['CRLF line ends', Buffer.from('{\r\n  "id": "e1"\r\n}\r\n', 'utf8')],
    ['\\u escapes, kept as escapes', Buffer.from('{"id":"e1","note":"\\u00e9\\ud83d\\ude00\\u0000"}', 'utf8')],
    ['U+FFFF, which SQS cannot carry as text', Buffer.from('{"id":"e1","note":"\uFFFF\uFFFE"}', 'utf8')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d])],
    ['a plus, a space and an equals sign', Buffer.from('{"q":"a+b c=d&e"}', 'utf8')],
  ])('carries a body with %s to the consumer byte for byte', (_case, rawBody) => {
    // Act
    const { input } = sendMessageInput(rawBody);

    // Assess
    expect(consumed(input).rawBody.equals(rawBody)).toBe(true);
    expect(input.MessageAttributes?.[QueuedWebhookAttribute.BODY_ENCODING]?.StringValue).toBe('base64');
  });

  it('carries both signatures with + / = intact, the route, the request id and the receive time', () => {
    // Act
    const { input } = sendMessageInput(
      Buffer.from('{}'),
      { 'Fluent-Signature': SHA512_SIGNATURE, 'FLEX.SIGNATURE': MD5_SIGNATURE, Host: 'example' },
      'orders/new items',
    );

    // Assess
    expect(consumed(input)).toMatchObject({
      signatures: { 'fluent-signature': [SHA512_SIGNATURE], 'flex.signature': [MD5_SIGNATURE] },
      route: 'orders/new items',
      requestId: REQUEST_ID,
    });
    expect(input.MessageAttributes?.[QueuedWebhookAttribute.RECEIVED_AT]?.StringValue).toBe(String(RECEIVED_AT));
    expect(Object.keys(input.MessageAttributes ?? {})).toHaveLength(6);
  });

  it.each([
    ['only flex.signature', { 'flex.signature': MD5_SIGNATURE }, [QueuedWebhookAttribute.FLEX_SIGNATURE]],
    ['no signature at all', { Host: 'example' }, []],
  ])('adds only the signature attributes that have a value, numbered without gaps: %s', (_case, header, signatures) => {
    // Act
    const { input } = sendMessageInput(Buffer.from('{}'), header);

    // Assess
    const names = Object.keys(input.MessageAttributes ?? {});
    expect(names.filter((name) => name.endsWith('Signature'))).toEqual(signatures);
    expect(names).toHaveLength(4 + signatures.length);
  });

  it.each([
    ['an empty fluent-signature', { 'Fluent-Signature': '' }, 'fluent-signature', 5],
    ['a flex.signature of commas and spaces, carried and named', { 'flex.signature': ' , ' }, 'flex.signature', 6],
    ['both sent empty', { 'fluent-signature': '', 'flex.signature': '' }, 'fluent-signature,flex.signature', 5],
  ])('names a signature header sent without a value, numbered without gaps: %s', (_case, header, empty, index) => {
    // Act
    const { form, input } = sendMessageInput(Buffer.from('{}'), header);

    // Assess
    expect(input.MessageAttributes?.[QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS]?.StringValue).toBe(empty);
    expect(form).toContain(`MessageAttribute.${index}.Name=${QueuedWebhookAttribute.EMPTY_SIGNATURE_HEADERS}`);
    expect(Object.keys(consumed(input).signatures).join(',')).toBe(empty);
  });

  it('lets the consumer decide exactly as the verifying Lambda does on the same headers, sent empty or not', () => {
    // Prepare
    const body = fluentEventBody();
    const signed = signFluentPayload(body, keys.fluent.privateKey);
    const forged = signFluentPayload(body, keys.stranger.privateKey);
    const valueOf = (header: 'fluent-signature' | 'flex.signature') =>
      fc.constantFrom(undefined, '', ' ', ' , ', 'AAAA', signed[header], forged[header]);
    const caseOf = fc.constantFrom(
      (name: string) => name,
      (name: string) => name.toUpperCase(),
    );

    // Act & Assess
    fc.assert(
      fc.property(valueOf('fluent-signature'), valueOf('flex.signature'), caseOf, (sha512, md5, cased) => {
        const header: Record<string, string> = {};
        if (sha512 !== undefined) header[cased('fluent-signature')] = sha512;
        if (md5 !== undefined) header[cased('flex.signature')] = md5;
        const { input } = sendMessageInput(body, header);
        const message = consumed(input);
        const atTheDoor = verifier.verify(body, header);
        expect(verifier.verifySignatures(message.rawBody, message.signatures)).toEqual(atTheDoor);
      }),
      { numRuns: 200 },
    );
    // The case the review found: an empty SHA-512 header beside a valid MD5 one is refused in both modes.
    const { input } = sendMessageInput(body, { 'fluent-signature': '', 'flex.signature': signed['flex.signature'] });
    expect(verifier.verifySignatures(body, consumed(input).signatures)).toMatchObject({ ok: false });
  });

  it('renders one line of fields joined by & only, as SQS needs', () => {
    // Act
    const { form } = sendMessageInput(Buffer.from('{\r\n"a":1\n}'), {
      'fluent-signature': SHA512_SIGNATURE,
      'flex.signature': MD5_SIGNATURE,
    });

    // Assess
    expect(form).not.toMatch(/[\r\n\s]/);
    expect(form.split('&').every((field) => /^[A-Za-z0-9.]+=[A-Za-z0-9%*._+-]*$/.test(field))).toBe(true);
    expect(form.startsWith('Action=SendMessage&Version=2012-11-05&MessageBody=')).toBe(true);
  });

  it('sends a body of the largest size that fits, and its message stays within 1 MiB', () => {
    // Prepare
    const rawBody = Buffer.alloc(MAX_QUEUE_FIRST_BODY_BYTES, 'a');

    // Act
    const { input } = sendMessageInput(rawBody, {
      'fluent-signature': 'A'.repeat(684),
      'flex.signature': 'B'.repeat(684),
    });

    // Assess
    expect(input.MessageBody).toHaveLength(MAX_QUEUED_BASE64_BODY_CHARS);
    const attributeBytes = Object.entries(input.MessageAttributes ?? {}).reduce(
      (sum, [name, value]) => sum + name.length + 'String'.length + Buffer.byteLength(value.StringValue ?? ''),
      0,
    );
    expect(MAX_QUEUED_BASE64_BODY_CHARS + attributeBytes).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
    expect(consumed(input).rawBody.equals(rawBody)).toBe(true);
  });

  it('asks SQS for no message at all, only its InvalidAction refusal, for one byte more', () => {
    // Act
    const form = renderMappingTemplate(SQS_SEND_MESSAGE_REQUEST_TEMPLATE, {
      body: Buffer.alloc(MAX_QUEUE_FIRST_BODY_BYTES + 1, 'a').toString('base64'),
      params: { path: { route: 'orders' }, header: { 'fluent-signature': SHA512_SIGNATURE } },
      context: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED_AT },
    }).output;

    // Assess
    expect(form).toBe(`Action=${BODY_TOO_LARGE_ACTION}&Version=2012-11-05`);
    expect(readSendMessageForm(form, QUEUE_URL)).toMatchObject({ ok: false, code: 'InvalidAction' });
  });
});

describe('Template: the queue-first integration responses', () => {
  const render = (template: string, sqsBody: string) =>
    renderMappingTemplate(template, { body: sqsBody, context: { requestId: REQUEST_ID } });

  it("answers a 2xx from SQS in the receiver's accepted shape", () => {
    // Act
    const rendered = render(ACCEPTED_RESPONSE_TEMPLATE, '<SendMessageResponse/>');

    // Assess
    expect(JSON.parse(rendered.output)).toEqual(JSON.parse(acceptedResponse(REQUEST_ID).body));
    expect(rendered.statusOverride).toBeUndefined();
  });

  it("answers any other SQS error in the receiver's queue-unavailable shape, without echoing SQS", () => {
    // Act
    const rendered = render(ERROR_RESPONSE_TEMPLATE, '<Error><Code>KMS.AccessDenied</Code><Message>queue x</Message>');

    // Assess
    expect(rendered.statusOverride).toBeUndefined();
    expect(JSON.parse(rendered.output)).toEqual(
      JSON.parse(
        errorResponse(503, ReceiverFailure.QUEUE_UNAVAILABLE, QUEUE_FIRST_MESSAGES.QUEUE_UNAVAILABLE, REQUEST_ID).body,
      ),
    );
    expect(rendered.output).not.toContain('queue x');
  });

  it('turns the InvalidAction refusal of an oversized body into 413 body-too-large', () => {
    // Act
    const rendered = render(ERROR_RESPONSE_TEMPLATE, '<Error><Code>InvalidAction</Code></Error>');

    // Assess
    expect(rendered.statusOverride).toBe(413);
    expect(JSON.parse(rendered.output)).toEqual({
      error: ReceiverRejection.BODY_TOO_LARGE,
      message: QUEUE_FIRST_MESSAGES.BODY_TOO_LARGE,
      requestId: REQUEST_ID,
    });
  });

  it("uses the receiver's own reason names", () => {
    // Assess
    expect(QueueFirstReason).toEqual({
      BODY_TOO_LARGE: ReceiverRejection.BODY_TOO_LARGE,
      QUEUE_UNAVAILABLE: ReceiverFailure.QUEUE_UNAVAILABLE,
    });
  });
});
