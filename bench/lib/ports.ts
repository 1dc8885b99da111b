// Free loopback ports for the servers under test (bound once, read, released).
import type { Kind } from "./kinds.ts";

async function freeTcpPort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

async function freeUdpPort(): Promise<number> {
  const probe = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
  const port = probe.port;
  probe.close();
  return port;
}

/** One free port per kind; udp's from the UDP space. */
export async function freePorts(kinds: readonly Kind[]): Promise<Record<Kind, number>> {
  const ports = {} as Record<Kind, number>;
  for (const kind of kinds) ports[kind] = kind === "udp" ? await freeUdpPort() : await freeTcpPort();
  return ports;
}
