import type { MessageAttributeValue, SendMessageCommandInput } from '@aws-sdk/client-sqs';

/**
 * Reads an SQS Query API form (what the queue-first request template renders) as SQS does, into the SDK's
 * SendMessage input, so the local gateway can hand it to the SQS emulator, which speaks only the JSON protocol.
 * Stricter than SQS where a template bug would hide: attribute numbers must run 1, 2, 3 ... with every field given,
 * and a field may not repeat.
 */
export type QueryFormReading =
  | { readonly ok: true; readonly input: SendMessageCommandInput }
  | { readonly ok: false; readonly code: string; readonly message: string };

const ATTRIBUTE_FIELD = /^MessageAttribute\.(\d+)\.(Name|Value\.DataType|Value\.StringValue)$/;
const KNOWN_FIELDS = new Set(['Action', 'Version', 'MessageBody']);

export function readSendMessageForm(form: string, queueUrl: string): QueryFormReading {
  const fields = new Map<string, string>();
  // URLSearchParams decodes application/x-www-form-urlencoded as SQS does: `+` is a space, %XX are UTF-8 bytes.
  for (const [name, value] of new URLSearchParams(form)) {
    if (fields.has(name)) return invalid(`The form gives ${name} more than once.`);
    fields.set(name, value);
  }
  const action = fields.get('Action');
  if (action === undefined) return { ok: false, code: 'MissingAction', message: 'The request has no Action.' };
  if (action !== 'SendMessage') {
    return { ok: false, code: 'InvalidAction', message: `The action ${action} is not valid for this endpoint.` };
  }
  const body = fields.get('MessageBody');
  if (body === undefined || body === '') {
    return { ok: false, code: 'MissingParameter', message: 'The request must contain the parameter MessageBody.' };
  }

  const attributes: Record<string, MessageAttributeValue> = {};
  const parts = new Map<number, Map<string, string>>();
  for (const [name, value] of fields) {
    if (KNOWN_FIELDS.has(name)) continue;
    const match = ATTRIBUTE_FIELD.exec(name);
    if (match === null) return invalid(`The form field ${name} is not a SendMessage parameter.`);
    const index = Number(match[1]);
    const entry = parts.get(index) ?? new Map<string, string>();
    entry.set(match[2] as string, value);
    parts.set(index, entry);
  }
  for (let index = 1; index <= parts.size; index += 1) {
    const entry = parts.get(index);
    const name = entry?.get('Name');
    const dataType = entry?.get('Value.DataType');
    const value = entry?.get('Value.StringValue');
    if (name === undefined || dataType === undefined || value === undefined) {
      return invalid(`MessageAttribute.${index} needs Name, Value.DataType and Value.StringValue, numbered from 1.`);
    }
    if (value === '') return invalid(`MessageAttribute.${index} (${name}) has an empty value.`);
    if (name in attributes) return invalid(`The message attribute ${name} is given twice.`);
    attributes[name] = { DataType: dataType, StringValue: value };
  }
  return { ok: true, input: { QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes } };
}

function invalid(message: string): QueryFormReading {
  return { ok: false, code: 'InvalidParameterValue', message };
}

/** An SQS Query API error body, as SQS answers in XML. Values are escaped; the message never holds the body. */
export function queryErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><Detail/></Error><RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>`;
}

/** The SendMessage success body, as SQS answers in XML. */
export function sendMessageResponseXml(messageId: string, requestId: string): string {
  return `<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MessageId>${xmlEscape(messageId)}</MessageId></SendMessageResult><ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata></SendMessageResponse>`;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
