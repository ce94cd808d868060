/**
 * The Lambda runtime inside a function's process: loads the bundle's handler, then answers invocations the runner
 * sends over IPC. It runs as `node -e` source (`lambdaRuntimeSource`), so it must not use anything outside its own
 * body: no imports, no closures over this module.
 */
function lambdaRuntime(codeDir: string, handler: string, meta: RuntimeMeta): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { pathToFileURL } = require('node:url') as typeof import('node:url');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // A real import() (CommonJS output would turn it into require, which cannot load an ES module bundle).
  const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
  const send = (message: unknown): void => void process.send?.(message);
  const describe = (error: unknown) =>
    error instanceof Error
      ? { errorType: error.name, errorMessage: error.message, stack: error.stack }
      : { errorType: 'Error', errorMessage: String(error) };

  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => join(codeDir, modulePath + extension)).find(existsSync);
  const loading = (async () => {
    if (file === undefined) throw new Error(`Cannot find module '${modulePath}' in ${codeDir} (Handler ${handler}).`);
    const loaded = (await importModule(pathToFileURL(file).href)) as Record<string, unknown> & {
      default?: Record<string, unknown>;
    };
    const fn = loaded[exportName] ?? loaded.default?.[exportName];
    if (typeof fn !== 'function')
      throw new Error(`${file} does not export a function named ${exportName} (Handler ${handler}).`);
    return fn as (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;
  })();
  loading.then(
    () => send({ ready: true }),
    (error: unknown) => send({ initError: describe(error) }),
  );

  process.on('message', (message: { id: number; event: unknown; requestId: string; deadline: number }) => {
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: meta.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: meta.functionArn,
      memoryLimitInMB: String(meta.memorySizeMb),
      awsRequestId: message.requestId,
      logGroupName: meta.logGroupName,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    loading
      .then(
        (fn) =>
          new Promise((resolve, reject) => {
            const returned = fn(message.event, context, (error, result) => (error ? reject(error) : resolve(result)));
            if (fn.length < 3 || returned !== undefined) Promise.resolve(returned).then(resolve, reject);
          }),
      )
      .then(
        (result) => send({ id: message.id, result }),
        (error: unknown) => send({ id: message.id, error: describe(error) }),
      );
  });
}

/** What the runtime tells a handler about its function. */
export interface RuntimeMeta {
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySizeMb: number;
  readonly logGroupName: string;
}

/** The `node -e` source that runs `handler` from `codeDir`. */
export function lambdaRuntimeSource(codeDir: string, handler: string, meta: RuntimeMeta): string {
  const args = [codeDir, handler, meta].map((value) => JSON.stringify(value)).join(', ');
  return `(${lambdaRuntime.toString()})(${args});`;
}
