// tcp://, text:// and frame:// listeners: Bun.listen with SO_REUSEPORT so every process of the group shares the port.
import type { TCPSocketListener } from "bun";
import { AppError } from "../../errors.ts";
import type { Listener, ListenerFactory } from "../listener.ts";
import type { StreamConnection } from "../stream-connection.ts";
import { drainStreamListener, framingFor, streamSocketHandler } from "./stream-socket.ts";

export const createTcpListener: ListenerFactory = async (runtime) => {
  const framing = await framingFor(runtime);
  const { host, port } = runtime.config.listen;
  let server: TCPSocketListener<StreamConnection> | undefined;
  const listener: Listener = {
    async start() {
      const ssl = runtime.config.ssl;
      try {
        server = Bun.listen<StreamConnection>({
          hostname: host,
          port,
          // Not in the type declarations, but honoured at run time (measured): the kernel spreads accepts.
          ...({ reusePort: true } as object),
          tls: ssl ? { cert: Bun.file(ssl.cert), key: Bun.file(ssl.key) } : undefined,
          socket: streamSocketHandler(runtime, framing, port),
        });
      } catch (err) {
        throw new AppError("E_LISTEN", `cannot listen on ${runtime.config.listen.url}: ${(err as Error).message}`, { cause: err });
      }
      return { listen: { ...runtime.config.listen, port: server.port } };
    },
    drain: (options) => drainStreamListener(server!, runtime, options),
  };
  return listener;
};
