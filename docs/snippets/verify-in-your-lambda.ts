// Quoted in docs/library.md and run by test/docs/snippets.test.ts: the verifier in a Lambda of your own,
// without any CDK part. Imports name the package as an installed user writes them.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { checkAllowList, FluentSignatureVerifier, parseFluentEvent } from 'fluent-webhook-receiver';

// Built once per Lambda container, never per request, from the key text Fluent gave you (several: an array, or
// comma-separated). A bad key throws here, naming the entry.
const verifier = new FluentSignatureVerifier({
  publicKeys: process.env.FLUENT_PUBLIC_KEYS ?? '',
  policy: 'prefer-sha512',
});
const allowList = { accountIds: ['ACME'] };

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // Verify the exact bytes Fluent sent: never JSON.stringify(JSON.parse(body)).
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const result = verifier.verify(rawBody, event.multiValueHeaders);
  if (!result.ok) {
    console.warn({ reason: result.reason }); // never log the body or the signature
    return { statusCode: 401, body: JSON.stringify({ error: result.reason, message: result.message }) };
  }
  // A valid signature proves Fluent sent it, not that it is yours: check the account too.
  const parsed = parseFluentEvent(rawBody);
  if (!parsed.ok) return { statusCode: 400, body: JSON.stringify({ error: parsed.problem }) };
  const allowed = checkAllowList(parsed.event, allowList);
  if (!allowed.ok) return { statusCode: 403, body: JSON.stringify({ error: allowed.reason }) };

  console.info({ eventId: parsed.event.id, header: result.header, key: result.keyFingerprint });
  // ... queue the event or do the work, then answer quickly.
  return { statusCode: 200, body: JSON.stringify({ id: parsed.event.id }) };
}
