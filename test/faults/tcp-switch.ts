import { createServer, Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_HOST, loopbackEndpoint } from '../../tools/local/local-aws-config';

/** A loopback TCP relay to a server that can be switched off (connections cut) and on again. */
export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`: point a client here instead of at the server. */
  readonly endpoint: string;
  /** Cuts every open connection, and every new one as it arrives, as a server that is down does. */
  off(): Promise<void>;
  /** Relays connections to the server again. */
  on(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The relay keeps listening while off and resets each connection at once, instead of giving its port back: another
 * test running alongside could take a released port before `on()` listens on it again.
 */
export async function startTcpSwitch(targetPort: number): Promise<TcpSwitch> {
  const sockets = new Set<Socket>();
  let relaying = true;
  const relay = (client: Socket): void => {
    if (!relaying) {
      client.resetAndDestroy();
      return;
    }
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
  const server = createServer(relay);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => resolve((server.address() as AddressInfo).port));
  });
  const off = async (): Promise<void> => {
    relaying = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    endpoint: loopbackEndpoint(LOOPBACK_HOST, port),
    off,
    on: async () => {
      relaying = true;
    },
    close: async () => {
      await off();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
