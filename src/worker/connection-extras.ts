// The rare per-connection state (context, pipes, unsent bytes, the packet reader), kept apart so an idle connection stays small.
import type { PacketReader } from "../protocols/packet-reader.ts";

/**
 * What few connections need, kept in one object made on first use: an idle connection carries one null slot.
 * `Peer` is the connection class (pipes link two of them), a parameter so this file need not import it.
 */
export interface ConnectionExtras<Peer> {
  context: Record<string, unknown> | null;
  /** Where pipe() forwards this connection's messages, or null. */
  pipeTo: Peer | null;
  /** Connections piped into this one: paused while this one's send buffer is full. */
  feeders: Set<Peer> | null;
  /** Set per connection by a handler; the group's config otherwise. */
  maxSendBufferSize?: number;
  maxPackageSize?: number;
  /** Stream connections: the unsent tail, oldest first, and its size. */
  pending: Uint8Array[] | null;
  pendingBytes: number;
  /** Messages that arrived after pauseRecv(), delivered in order by resumeRecv(). */
  held: unknown[] | null;
  /** Stream connections: the protocol error that ended reading (it closes once what came before is delivered). */
  failure: unknown;
  /** Stream connections: made at the first byte received, not at accept. */
  reader: PacketReader<unknown> | null;
  /** Here, not in the connection: an idle connection has moved no bytes, and two fields less keep it in 80 bytes. */
  bytesRead: number;
  bytesWritten: number;
}

/** Extras with nothing set yet. */
export function newExtras<Peer>(): ConnectionExtras<Peer> {
  return { context: null, pipeTo: null, feeders: null, pending: null, pendingBytes: 0, held: null, failure: null, reader: null, bytesRead: 0, bytesWritten: 0 };
}
