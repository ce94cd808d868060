import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Logger } from '@aws-lambda-powertools/logger';
import { lambdaRuntimeSource } from './lambda-runtime';

/** A function as the template defines it, with its environment resolved. */
export interface FunctionSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** `index.handler`: the file (without extension) and its export. */
  readonly handler: string;
  /** The asset folder holding the bundle. */
  readonly codeDir: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
}

/** A failed invocation, as Lambda reports it: the handler's error, a timeout or a crash of the runtime. */
export class InvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvocationError';
  }
}

export interface LambdaProcess {
  readonly spec: FunctionSpec;
  /** Invokes the handler with `event`; rejects with an {@link InvocationError} as Lambda would fail the invocation. */
  invoke(event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Runs a function's bundle in a Node.js process of its own, as Lambda runs it: the handler the template names, its
 * environment, a heap the size of its memory, and its timeout (an invocation past it fails and the process is
 * replaced, a cold start). Its log lines pass through to this process's stdout.
 */
export function startLambdaProcess(spec: FunctionSpec, logger: Logger): LambdaProcess {
  let child: ChildProcess | undefined;
  let nextId = 0;
  let stopped = false;
  const pending = new Map<number, Pending>();

  const failAll = (error: InvocationError): void => {
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      pending.delete(id);
      call.reject(error);
    }
  };
  const start = (): ChildProcess => {
    const source = lambdaRuntimeSource(spec.codeDir, spec.handler, {
      functionName: spec.functionName,
      functionArn: spec.functionArn,
      memorySizeMb: spec.memorySizeMb,
      logGroupName: `/aws/lambda/${spec.functionName}`,
    });
    const started = spawn(process.execPath, [`--max-old-space-size=${spec.memorySizeMb}`, '-e', source], {
      cwd: spec.codeDir,
      env: spec.environment,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    passLines(started);
    started.on('message', (message: RuntimeMessage) => {
      if ('initError' in message) {
        logger.error('function failed to initialise', { function: spec.logicalId, ...message.initError });
        return;
      }
      if (!('id' in message)) return;
      const call = pending.get(message.id);
      if (call === undefined) return;
      pending.delete(message.id);
      clearTimeout(call.timer);
      if ('error' in message) call.reject(new InvocationError(message.error.errorType, message.error.errorMessage));
      else call.resolve(message.result);
    });
    started.once('exit', (code, signal) => {
      if (child === started) child = undefined;
      failAll(new InvocationError('Runtime.ExitError', `the function's process exited (${signal ?? code})`));
    });
    return started;
  };
  child = start();

  return {
    spec,
    invoke(event) {
      if (stopped) return Promise.reject(new InvocationError('Runtime.Stopped', 'the runner is stopping'));
      child ??= start();
      const running = child;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          logger.error('function timed out; its process is replaced', {
            function: spec.logicalId,
            timeoutSeconds: spec.timeoutSeconds,
          });
          reject(new InvocationError('Sandbox.Timedout', `Task timed out after ${spec.timeoutSeconds} seconds`));
          running.kill('SIGKILL');
        }, spec.timeoutSeconds * 1000);
        pending.set(id, { resolve, reject, timer });
        running.send({ id, event, requestId: randomUUID(), deadline: Date.now() + spec.timeoutSeconds * 1000 });
      });
    },
    async stop() {
      stopped = true;
      const running = child;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      await exited;
    },
  };
}

type RuntimeMessage =
  | { readonly ready: true }
  | { readonly initError: Record<string, unknown> }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { errorType: string; errorMessage: string } };

/** JSON lines (the functions' Powertools logs) go to stdout, like the runner's own; anything else to stderr. */
function passLines(child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith('{')) process.stdout.write(`${line}\n`);
      else if (line.trim() !== '') process.stderr.write(`${line}\n`);
    });
  }
}
