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
  // Closing the listener closes its descriptor: a park keeps a duplicate, so an unpark can serve the master's socket again.
  let fd = UNIX_LISTEN_FD;
  const listener: Listener = {
    async start() {
      try {
        // Bun.listen accepts an inherited listening fd at run time (measured); the type declarations lack it.
        const options = { fd, socket: streamSocketHandler(runtime, framing, 0) };
        server = (Bun.listen as unknown as (o: typeof options) => typeof server)(options);
      } catch (err) {
        throw new AppError("E_LISTEN", `cannot serve ${runtime.config.listen.url} from fd ${fd}: ${(err as Error).message}`, { cause: err });
      }
      return { listen: runtime.config.listen };
    },
    async drain(options) {
      if (options.park) fd = await duplicate(fd);
      await drainStreamListener(server!, runtime, options);
    },
  };
  return listener;
};

/** dup(2) through libc, loaded only when a unix:// worker parks. */
async function duplicate(fd: number): Promise<number> {
  const { dlopen, FFIType } = await import("bun:ffi");
  const libc = dlopen("libc.so.6", { dup: { args: [FFIType.i32], returns: FFIType.i32 } });
  const copy = libc.symbols.dup(fd);
  libc.close();
  if (copy < 0) throw new AppError("E_LISTEN", `cannot keep the unix socket's descriptor ${fd} while parked (dup failed)`);
  return copy;
}
