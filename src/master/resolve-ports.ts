// Turns `:0` listen addresses into one real free port per group, so all its reusePort processes share it.
import type { AppConfig, ListenAddress } from "../config/types.ts";

async function freeUdpPort(host: string): Promise<number> {
  // node:dgram is loaded here, not at the top: most masters have no udp group with port 0, and it is on the start path.
  const socket = process.getBuiltinModule("node:dgram").createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function freeTcpPort(host: string): number {
  const probe = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

export async function resolvePort(listen: ListenAddress): Promise<ListenAddress> {
  if (listen.scheme === "unix" || listen.port !== 0) return listen;
  const port = listen.scheme === "udp" ? await freeUdpPort(listen.host) : freeTcpPort(listen.host);
  return { ...listen, port };
}

/** A copy of the config whose groups all name a concrete port. */
export async function withResolvedPorts(config: AppConfig): Promise<AppConfig> {
  const workers = await Promise.all(config.workers.map(async (group) => ({ ...group, listen: await resolvePort(group.listen) })));
  return { ...config, workers };
}
