// udp:// listener: node:dgram with reusePort (Bun.udpSocket cannot share a port); one short-lived connection per datagram.
import dgram from "node:dgram";
import { AppError } from "../../errors.ts";
import { BaseConnection } from "../connection.ts";
import { toWire } from "../wire.ts";
import type { Listener, ListenerFactory } from "../listener.ts";
import type { WorkerRuntime } from "../runtime.ts";

/** Workerman's UdpConnection: the sender of one datagram; send() replies to it. Never registered: it has no lifetime. */
export class UdpConnection extends BaseConnection {
  /** The sender's address as dgram gave it: kept as text (a reply needs it), not packed and formatted per datagram. */
  readonly #address: string;

  constructor(
    runtime: WorkerRuntime,
    private readonly socket: dgram.Socket,
    rinfo: dgram.RemoteInfo,
    localPort: number,
    /** One callback per listener, not a closure per datagram sent. */
    private readonly onSent: (err: Error | null) => void,
    /** The runtime's counters, held directly: this object lives for one datagram and is on its whole path. */
    private readonly counters: WorkerRuntime["counters"] = runtime.counters,
  ) {
    super(runtime, "udp", { remoteAddress: "", remotePort: rinfo.port, localPort });
    this.#address = rinfo.address;
  }

  /** Own counters: lives for one datagram, so no extras object for them (see BaseConnection). */
  #bytesRead = 0;
  #bytesWritten = 0;

  override get remoteAddress(): string {
    return this.#address;
  }

  override get bytesRead(): number {
    return this.#bytesRead;
  }

  override get bytesWritten(): number {
    return this.#bytesWritten;
  }

  protected override received(bytes: number): void {
    this.#bytesRead += bytes;
    this.counters.bytesRead += bytes;
  }

  protected override wrote(bytes: number): void {
    this.#bytesWritten += bytes;
    this.counters.bytesWritten += bytes;
  }

  get pendingSendBytes(): number {
    return 0;
  }

  send(data: unknown): boolean {
    this.countSend();
    if (this.closed) return this.sendFailed();
    const wire = toWire(data);
    // Counted first: the native send is then the last thing a datagram costs before the loop waits again.
    this.wrote(typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength);
    this.socket.send(wire, this.remotePort, this.#address, this.onSent);
    return true;
  }

  close(data?: unknown): void {
    if (data !== undefined) this.send(data);
    this.closed = true;
  }

  destroy(): void {
    this.closed = true;
  }

  pauseRecv(): void {}
  resumeRecv(): void {}

  onDatagram(message: Buffer): void {
    this.received(message.byteLength);
    if (message.byteLength > this.maxPackageSize) {
      this.runtime.reportProtocolError(this, new AppError("E_PACKAGE_TOO_BIG", `datagram of ${message.byteLength} bytes is over maxPackageSize`));
      return;
    }
    this.deliver(message);
  }
}

export const createUdpListener: ListenerFactory = (runtime) => {
  const { host, port, url } = runtime.config.listen;
  const onSent = (err: Error | null) => {
    if (err) runtime.counters.sendFail++;
  };
  let socket: dgram.Socket | undefined;
  return {
    // A closed dgram socket cannot bind again: each start (the first, and an unpark after probation) makes its own.
    start() {
      const own = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4", reuseAddr: true, reusePort: true } as dgram.SocketOptions);
      socket = own;
      return new Promise((resolve, reject) => {
        own.once("error", (err) => reject(new AppError("E_LISTEN", `cannot listen on ${url}: ${err.message}`, { cause: err })));
        own.bind(port, host, () => {
          const boundPort = own.address().port;
          own.on("error", (err) => runtime.reportError("udp", null, err));
          own.on("message", (message, rinfo) => new UdpConnection(runtime, own, rinfo, boundPort, onSent).onDatagram(message));
          resolve({ listen: { ...runtime.config.listen, port: boundPort } });
        });
      });
    },
    async drain() {
      const own = socket;
      if (own) await new Promise<void>((resolve) => own.close(() => resolve()));
    },
  } satisfies Listener;
};
