import { connectionRefused, injectedDispatch, withOwnBody } from '../../../tools/local/emulator-dispatch';

describe('Function: withOwnBody', () => {
  it("copies a body that is a view into a larger buffer (Node's pool) into bytes of its own", () => {
    // Prepare: small Buffers share Node's pool, and a message between threads would carry all of it.
    const pooled = Buffer.from('{"TableName":"history"}');
    const request = { method: 'POST', url: '/', headers: { host: 'h' }, body: pooled };

    // Act
    const own = withOwnBody(request);

    // Assess
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    expect(own.body.buffer.byteLength).toBe(pooled.byteLength);
    expect(Buffer.from(own.body).toString()).toBe('{"TableName":"history"}');
    expect(own).toMatchObject({ method: 'POST', url: '/', headers: { host: 'h' } });
  });

  it('keeps a message whose body is text, absent, or already its own bytes', () => {
    // Prepare
    const text = { statusCode: 200, headers: {}, body: '{}' };
    const none: { method: string; body?: string } = { method: 'GET' };
    const own = { statusCode: 200, headers: {}, body: new Uint8Array([1, 2]) };

    // Act, Assess
    expect(withOwnBody(text)).toBe(text);
    expect(withOwnBody(none)).toBe(none);
    expect(withOwnBody(own)).toBe(own);
  });
});

describe('Function: injectedDispatch', () => {
  it('hands light-my-request the request (bytes as a Buffer, no schema check) and gives back status, text headers and bytes', async () => {
    // Prepare
    const given: unknown[] = [];
    const dispatch = injectedDispatch(async (options) => {
      given.push(options);
      return {
        statusCode: 400,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': 2,
          vary: ['a', 'b'],
          gone: undefined,
        },
        rawPayload: Buffer.from('{}'),
      } as never;
    });

    // Act
    const answer = await dispatch({
      method: 'POST',
      url: '/',
      headers: { host: 'h' },
      body: new Uint8Array([123, 125]),
    });

    // Assess
    expect(given).toEqual([
      { method: 'POST', url: '/', headers: { host: 'h' }, payload: Buffer.from('{}'), validate: false },
    ]);
    expect(answer).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': '2', vary: 'a, b' },
      body: Buffer.from('{}'),
    });
  });
});

describe('Function: connectionRefused', () => {
  it("is Node's refused connection to the emulator's host and port, coded for the SDK's retries", () => {
    expect(connectionRefused('http://127.0.0.1:4566')).toMatchObject({
      message: 'connect ECONNREFUSED 127.0.0.1:4566',
      code: 'ECONNREFUSED',
    });
  });
});
