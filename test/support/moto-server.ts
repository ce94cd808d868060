import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitUntil } from './wait-until';

export interface MotoServer {
  /** `http://localhost:<port>`: localhost, not 127.0.0.1, or the CDK CLI's S3 client reads "127" as a bucket name. */
  readonly endpoint: string;
  /** Resolves once the server answers. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (moto_server takes a port number, not 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts moto's server (every AWS service it mocks, on one port) on 127.0.0.1. Returns as soon as the process is
 * spawned, so that the caller can work meanwhile; `ready` resolves once it answers (rejects if it exits first).
 */
export async function startMotoServer(executable: string, timeoutMs = 60_000): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-4000);
  });
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const ready = waitUntil(
    async () => {
      if (gone) throw new Error(`moto_server exited: ${output}`);
      return fetch(`http://127.0.0.1:${port}/moto-api/`).then(
        (response) => response.status < 500,
        () => false,
      );
    },
    timeoutMs,
    `moto_server answers on 127.0.0.1:${port}`,
  );
  // Whoever awaits `ready` sees its failure; an unawaited rejection must not end the test process.
  ready.catch(() => undefined);
  return {
    endpoint: `http://localhost:${port}`,
    ready,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}
