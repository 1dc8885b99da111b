// unix:// listener: serves the listening socket the master bound and passed as fd 3, so every process shares it.
import type { UnixSocketListener } from "bun";
import { AppError } from "../../errors.ts";
import type { Listener, ListenerFactory } from "../listener.ts";
import type { StreamConnection } from "../stream-connection.ts";
import { drainStreamListener, framingFor, streamSocketHandler } from "./stream-socket.ts";

/** Where the master places the listening unix socket among the worker's descriptors. */
export const UNIX_LISTEN_FD = 3;

export const createUnixListener: ListenerFactory = async (runtime) => {
  const framing = await framingFor(runtime);
  let server: UnixSocketListener<StreamConnection> | undefined;
  const listener: Listener = {
    async start() {
      try {
        // Bun.listen accepts an inherited listening fd at run time (measured); the type declarations lack it.
        const options = { fd: UNIX_LISTEN_FD, socket: streamSocketHandler(runtime, framing, 0) };
        server = (Bun.listen as unknown as (o: typeof options) => typeof server)(options);
      } catch (err) {
        throw new AppError("E_LISTEN", `cannot serve ${runtime.config.listen.url} from fd ${UNIX_LISTEN_FD}: ${(err as Error).message}`, { cause: err });
      }
      return { listen: runtime.config.listen };
    },
    drain: (options) => drainStreamListener(server!, runtime, options),
  };
  return listener;
};
