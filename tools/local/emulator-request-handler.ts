import type { EmulatorDispatch } from './emulator-dispatch';

/** The request the SDK hands its request handler, once built, signed and ready to send (the parts used here). */
export interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | ReadonlyArray<string> | null>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The SDK's abort signal: a DOM AbortSignal, or the SDK's own (which has `onabort` and no event listeners). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  onabort?: ((...args: never[]) => unknown) | null;
  addEventListener?: (type: 'abort', listener: () => void, options?: { once: boolean }) => void;
  removeEventListener?: (type: 'abort', listener: () => void) => void;
}

/**
 * An AWS SDK request handler (the client's `requestHandler`) that hands each request to an emulator in this process
 * instead of sending it over a socket. Everything the SDK does before and after the wire stays: its middleware,
 * serialization, retries and the parsing of the answer, and so does everything the emulator does with a request: its
 * routing, validation and storage. What is left out is Node's HTTP client, its parser and the loopback sockets, work
 * on the runner's main thread, where the gateway, the receiver and the consumer run (docs/benchmarks.md, "Pipeline:
 * the emulators in-process"). The emulators keep listening on their ports for everything else: the CLI, the
 * inspector, the AWS CLI.
 */
export function emulatorRequestHandler(dispatch: EmulatorDispatch) {
  return {
    async handle(request: SdkHttpRequest, { abortSignal }: { abortSignal?: AbortSignalLike } = {}) {
      if (abortSignal?.aborted) throw requestAborted(abortSignal);
      // The host is the emulator's own: the request goes to it whatever the URL names, and keeps its Host header
      // (fauxqs builds queue URLs from it).
      const answer = dispatch({
        method: request.method,
        url: request.path + queryString(request.query),
        headers: request.headers,
        ...bodyOf(request.body),
      });
      return { response: await (abortSignal === undefined ? answer : untilAborted(answer, abortSignal)) };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs() {
      return {};
    },
    destroy(): void {},
  };
}

/** The request body as the emulator takes it: the SDK gives text or bytes for every API the runner calls. */
function bodyOf(body: unknown): { body?: string | Uint8Array } {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string' || body instanceof Uint8Array) return { body };
  throw new TypeError(
    `The in-process emulator transport sends text or bytes, not a ${(body as object).constructor?.name ?? typeof body} body; use the emulator's endpoint for streamed uploads.`,
  );
}

/** `?name=value&...` from the SDK's query map (form-encoded, as the emulators' parsers read it). */
function queryString(query: SdkHttpRequest['query']): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const each of value === null ? [''] : typeof value === 'string' ? [value] : value) pairs.push([name, each]);
  }
  return pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`;
}

/** The answer, or the SDK's AbortError once the signal fires (the emulator still finishes the request). */
function untilAborted<T>(answer: Promise<T>, signal: AbortSignalLike): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const aborted = () => reject(requestAborted(signal));
    if (signal.addEventListener !== undefined) {
      signal.addEventListener('abort', aborted, { once: true });
    } else {
      signal.onabort = aborted;
    }
    const stopListening = () => {
      if (signal.removeEventListener !== undefined) signal.removeEventListener('abort', aborted);
      else if (signal.onabort === aborted) signal.onabort = null;
    };
    answer.then(
      (value) => {
        stopListening();
        resolve(value);
      },
      (error: unknown) => {
        stopListening();
        reject(error);
      },
    );
  });
}

/** The error the SDK's own Node.js handler rejects an aborted request with (the signal's reason as its cause). */
function requestAborted(signal: AbortSignalLike): Error {
  return Object.assign(new Error('Request aborted', signal.reason === undefined ? {} : { cause: signal.reason }), {
    name: 'AbortError',
  });
}
