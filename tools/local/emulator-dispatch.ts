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

/** What light-my-request takes (Fastify's `inject` is light-my-request on the app's router). */
export interface InjectOptions {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
  /** Whether light-my-request checks the options against its schema: these are built here, and always valid. */
  readonly validate: false;
}

/** What light-my-request answers (the parts used here). */
export interface InjectResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly rawPayload: Buffer;
}

/**
 * A dispatch through light-my-request: the request goes through the server's own request handler (its routing, body
 * parsing, validation and the answer it writes) on stand-ins for Node's request and response objects, not a socket.
 */
export function injectedDispatch(inject: (options: InjectOptions) => Promise<InjectResponse>): EmulatorDispatch {
  return async ({ method, url, headers, body }) => {
    const response = await inject({
      method,
      url,
      headers: { ...headers },
      // light-my-request takes a Buffer; any other object it would send as JSON.
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : asBuffer(body) }),
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

/**
 * The error a request to a stopped emulator gets: what connecting to its closed port gives (Node's message and code),
 * so that the SDK retries it as the network error it is, and a log line says what it would have said.
 */
export function connectionRefused(endpoint: string): Error {
  const { host } = new URL(endpoint);
  return Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: 'ECONNREFUSED' });
}
