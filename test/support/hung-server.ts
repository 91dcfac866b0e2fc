/**
 * A server on 127.0.0.1 that accepts connections and never answers, like a hung proxy: what the stop-signal
 * tests point a command at, so the command is provably waiting on the network when the signal comes.
 */
import net from 'node:net';

export interface HungServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Resolves once the first connection has been accepted (the call is under way). */
  firstConnection: Promise<void>;
  close(): Promise<void>;
}

export async function startHungServer(): Promise<HungServer> {
  const sockets: net.Socket[] = [];
  let connected!: () => void;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const server = net.createServer((socket) => {
    sockets.push(socket);
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    firstConnection,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
