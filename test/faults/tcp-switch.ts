import { createServer, Server, Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_HOST, loopbackEndpoint } from '../../lambdas/local/local-aws-config';

/** A loopback TCP relay to a server that can be switched off (connections refused) and on again, on the same port. */
export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`: point a client here instead of at the server. */
  readonly endpoint: string;
  /** Cuts every open connection and stops listening: new connections are refused, as by a server that is down. */
  off(): Promise<void>;
  /** Listens again on the same port. */
  on(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpSwitch(targetPort: number): Promise<TcpSwitch> {
  const sockets = new Set<Socket>();
  const relay = (client: Socket): void => {
    const upstream = connect(targetPort, LOOPBACK_HOST);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // Either side failing ends both; the client sees a reset connection, as when a server dies.
      socket.once('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const fresh = createServer(relay);
      fresh.once('error', reject);
      fresh.listen(port, LOOPBACK_HOST, () => {
        server = fresh;
        resolve((fresh.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const off = async () => {
    const running = server;
    server = undefined;
    if (running === undefined) return;
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    endpoint: loopbackEndpoint(LOOPBACK_HOST, port),
    off,
    on: async () => {
      if (server === undefined) await listen(port);
    },
    close: off,
  };
}
