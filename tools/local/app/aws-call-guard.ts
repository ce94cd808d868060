import { createServer, IncomingMessage, request as httpRequest, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import { AccessDecision, evaluateAccess, NamedPolicy } from './iam-policy-evaluator';

/** Whose calls a guard checks: a role of the template, with its identity policies. */
export interface GuardedRole {
  readonly logicalId: string;
  readonly roleArn: string;
  readonly identityPolicies: readonly NamedPolicy[];
}

export interface CallGuardOptions {
  readonly host: string;
  readonly role: GuardedRole;
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** The resource policy of a queue or table, by its ARN, or of a bucket, by the bucket's ARN. */
  readonly resourcePolicy: (resourceArn: string) => NamedPolicy | undefined;
  readonly logger: Logger;
}

export interface CallGuard {
  /** Give it to the caller's SDK as its SQS, DynamoDB and S3 endpoint (S3 path-style, on the SQS emulator). */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** One permission a call needs: its IAM action on one resource. */
interface NeededPermission {
  readonly action: string;
  readonly resource: string;
  /** Whose resource policy applies, when not the resource's own: an object's bucket. */
  readonly policyOwner?: string;
}

type Service = 'sqs' | 'dynamodb' | 's3';
type Protocol = 'json' | 'query' | 'rest-xml';

/** SQS batch actions are authorised as their single-message action. */
const SQS_ACTION_ALIASES: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};
/** What each kind of DynamoDB transaction item is authorised as. */
const TRANSACT_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/**
 * The S3 object calls the guard knows, by HTTP method (the SDK's path-style REST calls on `/<bucket>/<key>`): the
 * `x-id` the JavaScript SDK adds to the query (other clients may leave it out), and the IAM action. HeadObject is authorised as s3:GetObject.
 */
const S3_OBJECT_CALLS: Readonly<Record<string, { readonly xId?: string; readonly action: string }>> = {
  PUT: { xId: 'PutObject', action: 'PutObject' },
  GET: { xId: 'GetObject', action: 'GetObject' },
  HEAD: { action: 'GetObject' },
  DELETE: { xId: 'DeleteObject', action: 'DeleteObject' },
};

/**
 * A signing-blind proxy in front of the SQS, DynamoDB and S3 (fauxqs's) emulators for one role: every call is decided by the
 * role's identity policies and the resource's policy before it reaches an emulator; a denied call gets the error
 * AWS answers (AccessDenied) and one log line naming the deciding statement or the missing permission. Each caller
 * (a function, the event source of a function, the API's integration role) gets its own guard, so the guard knows
 * the caller without reading signatures. The emulators do not check signatures either.
 */
export async function startCallGuard(options: CallGuardOptions): Promise<CallGuard> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.logger.error('the IAM guard could not pass a call on', {
        role: options.role.logicalId,
        error: error as Error,
      });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: CallGuardOptions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const call = readCall(req, body, options);
  if (call === undefined) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ __type: 'UnknownOperationException', message: 'The local IAM guard does not know this call.' }),
    );
    return;
  }
  for (const needed of call.permissions) {
    const decision = decide(needed, options);
    if (!decision.allowed) {
      deny(res, call.service, call.protocol, needed, decision, options);
      return;
    }
  }
  // fauxqs answers S3 on the SQS endpoint.
  await forward(req, res, body, call.service === 'dynamodb' ? options.dynamoDbEndpoint : options.sqsEndpoint);
}

function decide(needed: NeededPermission, options: CallGuardOptions): AccessDecision {
  const { role, accountId, region } = options;
  return evaluateAccess(
    {
      principalArn: role.roleArn,
      accountId,
      action: needed.action,
      resource: needed.resource,
      context: {
        // Locally every call is plain HTTP on loopback; on AWS the SDK always uses TLS, so policies requiring it hold.
        'aws:SecureTransport': 'true',
        'aws:PrincipalArn': role.roleArn,
        'aws:PrincipalAccount': accountId,
        'aws:PrincipalType': 'AssumedRole',
        'aws:RequestedRegion': region,
      },
    },
    role.identityPolicies,
    options.resourcePolicy(needed.policyOwner ?? needed.resource),
  );
}

interface ReadCall {
  readonly service: Service;
  readonly protocol: Protocol;
  readonly permissions: readonly NeededPermission[];
}

/**
 * Reads the service, the action and the resources of an SDK call (AWS JSON 1.0 for SQS and DynamoDB, SQS's Query form
 * too, both POST; S3's REST calls by any other method).
 */
function readCall(req: IncomingMessage, body: Buffer, options: CallGuardOptions): ReadCall | undefined {
  if (req.method !== 'POST') return readS3Call(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  const { region, accountId } = options;
  const queueArn = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const queueFromUrl = (url: unknown) =>
    queueArn(
      String(url ?? '')
        .split('/')
        .filter(Boolean)
        .at(-1) ?? '',
    );
  const sqs = (action: string, input: Record<string, unknown>): NeededPermission => ({
    action: `sqs:${SQS_ACTION_ALIASES[action] ?? action}`,
    resource:
      input.QueueUrl !== undefined
        ? queueFromUrl(input.QueueUrl)
        : input.QueueName !== undefined
          ? queueArn(String(input.QueueName))
          : queueArn('*'),
  });
  if (target.startsWith('AmazonSQS.')) {
    const input = parseJson(body);
    return { service: 'sqs', protocol: 'json', permissions: [sqs(target.slice('AmazonSQS.'.length), input)] };
  }
  if (target.startsWith('DynamoDB_')) {
    const action = target.slice(target.indexOf('.') + 1);
    const tableArn = (name: unknown) => `arn:aws:dynamodb:${region}:${accountId}:table/${String(name)}`;
    return {
      service: 'dynamodb',
      protocol: 'json',
      permissions: dynamoDbPermissions(action, parseJson(body), tableArn),
    };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action');
  if (action === null) return undefined;
  return {
    service: 'sqs',
    protocol: 'query',
    permissions: [
      sqs(action, { QueueUrl: form.get('QueueUrl') ?? req.url, QueueName: form.get('QueueName') ?? undefined }),
    ],
  };
}

/**
 * An S3 object call, path-style: `/<bucket>/<key>`. A query other than the SDK's `x-id` names another call with other
 * permissions (`?acl`: PutObjectAcl, `?tagging`, `?versionId`: GetObjectVersion, `?uploadId`: a multipart upload), and
 * so does `x-amz-copy-source` (CopyObject, which also reads the source): those, and anything on a bucket itself, are
 * not calls the guard knows, so it refuses them rather than authorise them as a plain object call.
 */
function readS3Call(req: IncomingMessage): ReadCall | undefined {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname;
  const slash = path.indexOf('/', 1);
  const known = S3_OBJECT_CALLS[req.method ?? ''];
  if (slash <= 1 || slash === path.length - 1 || known === undefined) return undefined;
  const xId = url.searchParams.get('x-id');
  if ([...url.searchParams.keys()].some((name) => name !== 'x-id') || (xId !== null && xId !== known.xId)) {
    return undefined;
  }
  if (req.headers['x-amz-copy-source'] !== undefined) return undefined;
  const action = known.action;
  const bucket = decodedPathPart(path.slice(1, slash));
  const key = decodedPathPart(path.slice(slash + 1));
  if (bucket === undefined || key === undefined) return undefined;
  return {
    service: 's3',
    protocol: 'rest-xml',
    permissions: [
      { action: `s3:${action}`, resource: `arn:aws:s3:::${bucket}/${key}`, policyOwner: `arn:aws:s3:::${bucket}` },
    ],
  };
}

/** A percent-encoded path part, or undefined when it is not valid encoding (a call the guard does not know). */
function decodedPathPart(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** One call can need several permissions: a batch or a transaction touches each of its tables. */
function dynamoDbPermissions(
  action: string,
  input: Record<string, unknown>,
  tableArn: (name: unknown) => string,
): NeededPermission[] {
  if (action === 'BatchGetItem' || action === 'BatchWriteItem') {
    return Object.keys((input.RequestItems ?? {}) as object).map((table) => ({
      action: `dynamodb:${action}`,
      resource: tableArn(table),
    }));
  }
  if (action === 'TransactWriteItems' || action === 'TransactGetItems') {
    return ((input.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>).flatMap((item) =>
      Object.entries(item).map(([kind, operation]) => ({
        action: `dynamodb:${TRANSACT_ITEM_ACTIONS[kind] ?? kind}`,
        resource: tableArn(operation.TableName),
      })),
    );
  }
  const index = input.IndexName === undefined ? '' : `/index/${String(input.IndexName)}`;
  return [{ action: `dynamodb:${action}`, resource: `${tableArn(input.TableName)}${index}` }];
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Answers as AWS does when IAM refuses a call, and logs which statement denied it or which permission is missing. */
function deny(
  res: ServerResponse,
  service: Service,
  protocol: Protocol,
  needed: NeededPermission,
  decision: Extract<AccessDecision, { allowed: false }>,
  options: CallGuardOptions,
): void {
  const { role } = options;
  const because = decision.explicitDeny
    ? `with an explicit deny in ${decision.statement}`
    : `because no identity-based policy allows the ${needed.action} action`;
  const message = `User: ${role.roleArn} is not authorized to perform: ${needed.action} on resource: ${needed.resource} ${because}`;
  options.logger.warn('AWS call denied by the template policies', {
    role: role.logicalId,
    action: needed.action,
    resource: needed.resource,
    ...(decision.explicitDeny ? { deniedBy: decision.statement } : { missingPermission: needed.action }),
  });
  if (protocol === 'rest-xml') {
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message><RequestId>local</RequestId></Error>`,
    );
    return;
  }
  if (protocol === 'query') {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
    );
    return;
  }
  // SQS speaks JSON with its Query error code in a header; DynamoDB answers 400 with the exception's name.
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
  if (service === 'sqs') headers['x-amzn-query-error'] = 'AccessDenied;Sender';
  res.writeHead(service === 'sqs' ? 403 : 400, headers);
  res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message, Message: message }));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Passes an allowed call to the emulator unchanged (the Host header too, so queue URLs in answers point here). */
function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, endpoint: string): Promise<void> {
  const target = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', resolve);
        answer.once('error', reject);
      },
    );
    upstream.once('error', reject);
    upstream.end(body);
  });
}
