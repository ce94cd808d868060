import type { InjectOptions, Response as InjectResponse } from 'light-my-request';

/**
 * One HTTP request to an emulator and its answer, as plain data: what the local runner's own AWS SDK clients hand an
 * emulator in-process (emulator-request-handler.ts) instead of sending it over a socket. Plain data so that it crosses
 * to the emulator's worker thread (emulator-thread.ts) as a message.
 */
export interface EmulatorRequest {
  readonly method: string;
  /** The path and query string. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface EmulatorResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Answers one request as the emulator's HTTP server would. */
export type EmulatorDispatch = (request: EmulatorRequest) => Promise<EmulatorResponse>;

/**
 * A dispatch through light-my-request: the request goes through the server's own request handler (its routing, body
 * parsing, validation and the answer it writes) on stand-ins for Node's request and response objects, not a socket.
 */
export function injectedDispatch(inject: (options: InjectOptions) => Promise<InjectResponse>): EmulatorDispatch {
  return async ({ method, url, headers, body }) => {
    const response = await inject({
      method,
      url,
      headers,
      // light-my-request takes a Buffer; any other object it would send as JSON.
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : asBuffer(body) }),
      // The options are built here and always valid: no schema check per request.
      validate: false,
    });
    return { statusCode: response.statusCode, headers: headerValues(response.headers), body: response.rawPayload };
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Header values as the SDK reads them: text, a repeated header's values joined as HTTP joins them. */
function headerValues(headers: InjectResponse['headers']): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) values[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return values;
}

/** The network errors a request to an emulator can meet, coded as Node's sockets code them. */
export type NetworkErrorCode = 'ECONNREFUSED' | 'ECONNRESET';

/**
 * An error coded as a socket's, so that the SDK retries it as the network error it stands for (a closed port, a cut
 * connection), as it did over HTTP.
 */
export function networkError(message: string, code: NetworkErrorCode): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * What a request to a stopped emulator gets: what connecting to its closed port gives (Node's message and code, so a
 * log line reads as it did over HTTP).
 */
export function connectionRefused(endpoint: string): Error {
  return networkError(`connect ECONNREFUSED ${new URL(endpoint).host}`, 'ECONNREFUSED');
}

/**
 * A request or an answer ready to cross to another thread: its body in bytes of its own. The SDK's bodies and
 * light-my-request's are views into Node's buffer pool (64 KiB on Node.js 24), and a message carries a view's whole
 * buffer, so each call would copy the pool each way (and the isolates collect it: docs/benchmarks.md).
 */
export function withOwnBody<Message extends { readonly body?: string | Uint8Array }>(message: Message): Message {
  const { body } = message;
  if (body === undefined || typeof body === 'string' || body.byteLength === body.buffer.byteLength) return message;
  return { ...message, body: new Uint8Array(body) };
}
