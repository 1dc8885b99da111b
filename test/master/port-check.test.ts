// The port check on real sockets of this test process: who holds a port, wildcards overlapping addresses, and our own processes left out.
import { afterEach, describe, expect, test } from "bun:test";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import type { TCPSocketListener } from "bun";
import { busyMessage, portHolder, refuseBusyPorts } from "../../src/master/port-check.ts";
import type { AppConfig } from "../../src/config/types.ts";
import { AppError } from "../../src/errors.ts";

const tcp: TCPSocketListener[] = [];
const udp: UdpSocket[] = [];
afterEach(() => {
  for (const listener of tcp.splice(0)) listener.stop(true);
  for (const socket of udp.splice(0)) socket.close();
});

function listenTcp(hostname: string, port = 0): number {
  const listener = Bun.listen({ hostname, port, socket: { data() {} } });
  tcp.push(listener);
  return listener.port;
}

async function bindUdp(host: string): Promise<number> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  udp.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return socket.address().port;
}

function configWith(listen: { scheme: string; host: string; port: number }): AppConfig {
  return { workers: [{ name: "web", listen: { ...listen, url: `${listen.scheme}://${listen.host}:${listen.port}` } }] } as unknown as AppConfig;
}

describe("portHolder", () => {
  test("a TCP port this process listens on is held by this pid, with its command line", async () => {
    const port = listenTcp("127.0.0.1");
    const holder = await portHolder("tcp", "127.0.0.1", port);
    expect(holder).toMatchObject({ pid: process.pid, boundAt: `127.0.0.1:${port}` });
    expect(holder?.command).toContain("bun");
  });

  test("a free port, another address of the loopback range and the other transport are not held", async () => {
    const port = listenTcp("127.0.0.1");
    expect(await portHolder("tcp", "127.0.0.2", port)).toBeNull();
    expect(await portHolder("udp", "127.0.0.1", port)).toBeNull();
    const free = listenTcp("127.0.0.1");
    tcp.pop()!.stop(true);
    expect(await portHolder("tcp", "127.0.0.1", free)).toBeNull();
  });

  test("0.0.0.0 holds 127.0.0.1 and the reverse; localhost stands for both loopback addresses", async () => {
    const wild = listenTcp("0.0.0.0");
    expect(await portHolder("tcp", "127.0.0.1", wild)).toMatchObject({ pid: process.pid, boundAt: `0.0.0.0:${wild}` });
    expect(await portHolder("tcp", "localhost", wild)).toMatchObject({ pid: process.pid });
    const specific = listenTcp("127.0.0.1");
    expect(await portHolder("tcp", "0.0.0.0", specific)).toMatchObject({ pid: process.pid, boundAt: `127.0.0.1:${specific}` });
  });

  test("IPv6: :: holds ::1 and 127.0.0.1 (dual stack); ::1 does not hold 127.0.0.1", async () => {
    let any: number;
    try {
      any = listenTcp("::");
    } catch {
      return; // no IPv6 on this machine
    }
    expect(await portHolder("tcp", "::1", any)).toMatchObject({ pid: process.pid, boundAt: `[::]:${any}` });
    expect(await portHolder("tcp", "127.0.0.1", any)).toMatchObject({ pid: process.pid });
    const loop6 = listenTcp("::1");
    expect(await portHolder("tcp", "::1", loop6)).toMatchObject({ pid: process.pid, boundAt: `[::1]:${loop6}` });
    expect(await portHolder("tcp", "127.0.0.1", loop6)).toBeNull();
  });

  test("a bound UDP socket holds its port", async () => {
    const port = await bindUdp("127.0.0.1");
    expect(await portHolder("udp", "127.0.0.1", port)).toMatchObject({ pid: process.pid, boundAt: `127.0.0.1:${port}` });
    expect(await portHolder("udp", "0.0.0.0", port)).toMatchObject({ pid: process.pid });
  });

  test("a process tree named as ours is no stranger", async () => {
    const port = listenTcp("127.0.0.1");
    expect(await portHolder("tcp", "127.0.0.1", port, { ours: [process.pid] })).toBeNull();
    expect(await portHolder("tcp", "127.0.0.1", port, { ours: [process.ppid] })).toBeNull();
    expect(await portHolder("tcp", "127.0.0.1", port, { ours: [process.pid + 100_000] })).toMatchObject({ pid: process.pid });
  });
});

describe("refuseBusyPorts", () => {
  test("E_LISTEN naming the field, the address, the pid and its command", async () => {
    const port = listenTcp("127.0.0.1");
    const refused = await refuseBusyPorts(configWith({ scheme: "http", host: "127.0.0.1", port })).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    const text = (refused as AppError).toString();
    expect(text).toStartWith(`E_LISTEN: workers[0].listen: 127.0.0.1:${port} is already in use by pid ${process.pid} (`);
    expect(text).toEndWith("): stop it, or choose another port");
  });

  test("udp groups are checked against UDP sockets; a group left out by `only` is not checked", async () => {
    const port = await bindUdp("127.0.0.1");
    await expect(refuseBusyPorts(configWith({ scheme: "udp", host: "127.0.0.1", port }))).rejects.toThrow("is already in use by pid");
    await refuseBusyPorts(configWith({ scheme: "udp", host: "127.0.0.1", port }), {}, () => false);
    await refuseBusyPorts(configWith({ scheme: "tcp", host: "127.0.0.1", port }));
  });

  test("the message without a visible owner", () => {
    expect(busyMessage("::1", 8080, { boundAt: "[::]:8080" })).toBe(
      "[::1]:8080 is already in use by another process on [::]:8080: stop it, or choose another port",
    );
  });
});
