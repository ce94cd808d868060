import { getEventListeners } from 'node:events';
import type { EmulatorRequest, EmulatorResponse } from '../../../tools/local/emulator-dispatch';
import { emulatorRequestHandler } from '../../../tools/local/emulator-request-handler';

const ANSWER: EmulatorResponse = {
  statusCode: 200,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' },
  body: new TextEncoder().encode('{"MessageId":"m-1"}'),
};

/** A dispatch that records each request and answers when the test says. */
function recordingDispatch() {
  const requests: EmulatorRequest[] = [];
  let answer: (response: EmulatorResponse) => void = () => undefined;
  const dispatch = (request: EmulatorRequest) => {
    requests.push(request);
    return new Promise<EmulatorResponse>((resolve) => (answer = resolve));
  };
  return { requests, dispatch, answer: (response: EmulatorResponse) => answer(response) };
}

const request = (overrides: object = {}) => ({
  method: 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 4566,
  path: '/',
  headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.0' },
  body: '{"QueueUrl":"q"}',
  ...overrides,
});

describe('Function: emulatorRequestHandler', () => {
  it("hands the emulator the request's method, path, headers and body, and gives the SDK its answer", async () => {
    // Prepare
    const { requests, dispatch, answer } = recordingDispatch();
    const handler = emulatorRequestHandler(dispatch);

    // Act
    const handled = handler.handle(request());
    answer(ANSWER);

    // Assess
    await expect(handled).resolves.toEqual({ response: ANSWER });
    expect(requests).toEqual([
      {
        method: 'POST',
        url: '/',
        headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.0' },
        body: '{"QueueUrl":"q"}',
      },
    ]);
  });

  it('writes the query form-encoded, a repeated name once per value, a name without a value as empty', async () => {
    // Prepare
    const { requests, dispatch, answer } = recordingDispatch();
    const bytes = new Uint8Array([1, 2, 3]);

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(
      request({
        method: 'PUT',
        path: '/bucket/key',
        query: { 'x-id': "it's (1)&", a: ['2', '1'], flag: null },
        body: bytes,
      }),
    );
    answer(ANSWER);
    await handled;

    // Assess
    expect(requests[0]).toMatchObject({
      method: 'PUT',
      url: '/bucket/key?x-id=it%27s+%281%29%26&a=2&a=1&flag=',
      body: bytes,
    });
    expect(new URL(`http://h${requests[0]?.url}`).searchParams.getAll('x-id')).toEqual(["it's (1)&"]);
  });

  it('sends no body when the request has none', async () => {
    // Prepare
    const { requests, dispatch, answer } = recordingDispatch();

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(request({ method: 'GET', body: undefined }));
    answer(ANSWER);
    await handled;

    // Assess
    expect(requests[0]).not.toHaveProperty('body');
  });

  it('refuses a streamed body and says what to use instead', async () => {
    // Prepare
    const { requests, dispatch } = recordingDispatch();
    const { Readable } = await import('node:stream');

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(request({ body: Readable.from(['chunk']) }));

    // Assess
    await expect(handled).rejects.toThrow(
      "The in-process emulator transport sends text or bytes, not a Readable body; use the emulator's endpoint for streamed uploads.",
    );
    expect(requests).toEqual([]);
  });

  it('rejects with the AbortError the SDK does not retry, without asking the emulator, when already aborted', async () => {
    // Prepare
    const { requests, dispatch } = recordingDispatch();
    const controller = new AbortController();
    controller.abort();

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: controller.signal });

    // Assess
    await expect(handled).rejects.toMatchObject({ name: 'AbortError', message: 'Request aborted' });
    expect(requests).toEqual([]);
  });

  it('rejects at once when aborted while the emulator works (a long poll), and ignores its later answer', async () => {
    // Prepare
    const { requests, dispatch, answer } = recordingDispatch();
    const controller = new AbortController();
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: controller.signal });

    // Act
    controller.abort();
    answer(ANSWER);

    // Assess
    await expect(handled).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toHaveLength(1);
  });

  it("takes the SDK's own abort signal, which has onabort and no listeners: rejects when it fires", async () => {
    // Prepare
    const { dispatch } = recordingDispatch();
    const signal: { aborted: boolean; onabort: (() => void) | null } = { aborted: false, onabort: null };
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: signal });

    // Act
    signal.aborted = true;
    signal.onabort?.();

    // Assess
    await expect(handled).rejects.toMatchObject({ name: 'AbortError', message: 'Request aborted' });
  });

  it("clears the SDK signal's onabort once answered", async () => {
    // Prepare
    const { dispatch, answer } = recordingDispatch();
    const signal: { aborted: boolean; onabort: (() => void) | null } = { aborted: false, onabort: null };

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: signal });
    const listening = signal.onabort;
    answer(ANSWER);
    await handled;

    // Assess
    expect(listening).toEqual(expect.any(Function));
    expect(signal.onabort).toBeNull();
  });

  it("removes its abort listener once answered, so a client's signal does not collect them", async () => {
    // Prepare
    const { dispatch, answer } = recordingDispatch();
    const controller = new AbortController();

    // Act
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: controller.signal });
    const whileWaiting = getEventListeners(controller.signal, 'abort').length;
    answer(ANSWER);
    await handled;

    // Assess
    expect(whileWaiting).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it("gives the AbortError the signal's reason as its cause", async () => {
    // Prepare
    const { dispatch } = recordingDispatch();
    const controller = new AbortController();
    const reason = new Error('the poller stops');
    const handled = emulatorRequestHandler(dispatch).handle(request(), { abortSignal: controller.signal });

    // Act
    controller.abort(reason);

    // Assess
    await expect(handled).rejects.toMatchObject({ name: 'AbortError', cause: reason });
  });

  it("passes the emulator's failure (a stopped emulator's ECONNREFUSED) to the SDK unchanged", async () => {
    // Prepare
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

    // Act
    const handled = emulatorRequestHandler(() => Promise.reject(refused)).handle(request());

    // Assess
    await expect(handled).rejects.toBe(refused);
  });
});
