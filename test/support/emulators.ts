import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  EmulatorsCommand,
  EmulatorsCommandName,
  EmulatorsCommandResult,
  EmulatorsConfig,
  EmulatorsReady,
} from './emulators-protocol';

const REPO_ROOT = join(__dirname, '..', '..');
const ENTRY = join(REPO_ROOT, 'test', 'support', 'emulators-process.ts');
const STDERR_TAIL_CHARS = 4000;

export interface StartEmulatorsOptions {
  /** Bound on start-up and on each command. @default 20000 */
  readonly timeoutMs?: number;
}

/** SQS (fauxqs) and DynamoDB (dynalite) on 127.0.0.1, in a child process (jest cannot load ESM-only fauxqs). */
export interface RunningEmulators extends EmulatorsReady {
  /** Stops the SQS server; queues and messages are kept. */
  stopSqs(): Promise<void>;
  /** Brings the SQS server back on the same port with the same queues and messages. */
  restartSqs(): Promise<void>;
  /** Stops both servers and waits for the process to exit (killing it if it will not). Safe to call twice. */
  close(): Promise<void>;
}

/** Starts the emulators; always pair with `close()` in `afterAll`. */
export async function startEmulators(
  config: EmulatorsConfig,
  options: StartEmulatorsOptions = {},
): Promise<RunningEmulators> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(config)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = jsonLines(child);
  const failure = (what: string) => new Error(`Emulators ${what}. Their stderr:\n${stderr}`);

  let ready: EmulatorsReady;
  try {
    ready = (await bounded(lines.next(exited), timeoutMs, () =>
      failure(`did not start within ${timeoutMs} ms`),
    )) as EmulatorsReady;
    if (ready?.ready !== true) throw failure('exited before they were ready');
  } catch (error) {
    await stop(child, exited);
    throw error;
  }

  const send = async (command: EmulatorsCommandName): Promise<void> => {
    child.stdin.write(`${command}\n`);
    const result = (await bounded(lines.next(exited), timeoutMs, () => failure(`did not answer ${command}`))) as
      EmulatorsCommandResult | undefined;
    if (result === undefined) throw failure(`exited while running ${command}`);
    if ('failed' in result) throw new Error(`Emulators command ${command} failed: ${result.error}`);
  };

  return {
    ...ready,
    stopSqs: () => send(EmulatorsCommand.STOP_SQS),
    restartSqs: () => send(EmulatorsCommand.RESTART_SQS),
    close: () => stop(child, exited),
  };
}

/** Reads stdout as JSON lines, one `next()` per line; `undefined` once the process has exited. */
function jsonLines(child: ChildProcessWithoutNullStreams) {
  const queued: unknown[] = [];
  const waiting: Array<(value: unknown) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return; // Only the protocol's JSON lines count; anything else printed on stdout is noise.
    }
    const resolve = waiting.shift();
    if (resolve === undefined) queued.push(value);
    else resolve(value);
  });
  return {
    next(exited: Promise<void>): Promise<unknown> {
      if (queued.length > 0) return Promise.resolve(queued.shift());
      return Promise.race([new Promise((resolve) => waiting.push(resolve)), exited.then(() => undefined)]);
    },
  };
}

async function stop(child: ChildProcessWithoutNullStreams, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin.end();
  const gone = await bounded(
    exited.then(() => true),
    5_000,
    () => undefined,
  ).catch(() => false);
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

function bounded<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error | undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout() ?? new Error(`Timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
