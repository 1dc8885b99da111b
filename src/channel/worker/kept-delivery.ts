// A worker's delivery of kept group messages: through onGroupMessage or send, and the seamless replay of recover().
import type { Connection, GroupMessage, RecoverResult } from "../../worker/types.ts";
import type { ChannelHost } from "./channel-host.ts";
import { unpackData, type Delivery, type HistorySlice } from "../protocol.ts";

type Kept = Extract<Delivery, { op: "kept" }>;

export class KeptDelivery {
  /** group -> connection -> live messages held back while that connection's recovery reads the history. */
  readonly #recovering = new Map<string, Map<Connection, GroupMessage[]>>();
  /**
   * After a recovery, the last offset each recovered connection holds, until a newer live message passes it: a
   * message the master fills into a gap late must not reach it twice. Checked only while any exists.
   */
  readonly #floors = new WeakMap<Connection, Map<string, { epoch: string; offset: number }>>();
  #floorCount = 0;

  constructor(private readonly host: ChannelHost) {}

  /** A live kept message for the group's members here (`skip`: connection ids the sender excluded). */
  deliver(members: Iterable<Connection>, kept: Kept, skip: Set<number>): void {
    const message: GroupMessage = { group: kept.group, offset: kept.offset, epoch: kept.epoch, data: unpackData(kept.data) };
    const waiting = this.#recovering.get(kept.group);
    for (const conn of members) {
      if (skip.has(conn.id)) continue;
      const held = waiting?.get(conn);
      if (held) held.push(message);
      else if (this.#floorCount === 0 || this.#aboveFloor(conn, message)) this.#hand(conn, message);
    }
  }

  /**
   * `conn` has just joined `group`; `read(since)` asks for a page of the history after `since`. Live messages that
   * arrive meanwhile are held; then the history is handed over page by page (so memory is bounded by a page, not by
   * the gap), then the held ones, each offset once, in order.
   */
  async recover(
    conn: Connection,
    group: string,
    position: { offset?: number; epoch?: string },
    read: (since: number | undefined) => Promise<HistorySlice>,
  ): Promise<RecoverResult> {
    let waiting = this.#recovering.get(group);
    if (!waiting) this.#recovering.set(group, (waiting = new Map()));
    const held: GroupMessage[] = [];
    waiting.set(conn, held);
    let result: RecoverResult;
    try {
      result = await this.#replay(conn, group, position, read);
    } catch (err) {
      // No history (the master did not answer): the live messages held meanwhile still go out, then the caller hears why.
      this.#release(group, conn);
      for (const message of held) this.#hand(conn, message);
      throw err;
    }
    // Synchronous from here to the end: nothing else can be delivered to conn in between.
    this.#release(group, conn);
    let last = result.offset;
    if (conn.closed) return result;
    for (const message of held) {
      // Held messages the history already covered are the duplicates at the seam; a new epoch starts over.
      if (message.epoch === result.epoch && message.offset <= last) continue;
      this.#hand(conn, message);
      if (message.epoch === result.epoch) last = message.offset;
    }
    this.#setFloor(conn, group, result.epoch, last);
    return { ...result, offset: last };
  }

  /** Hands the history after position.offset, a page at a time; what it could not hand makes `recovered` false. */
  async #replay(
    conn: Connection,
    group: string,
    position: { offset?: number; epoch?: string },
    read: (since: number | undefined) => Promise<HistorySlice>,
  ): Promise<RecoverResult> {
    let slice = await read(position.offset);
    const recovered = slice.complete && position.epoch === slice.epoch && position.offset !== undefined;
    if (!recovered) return { recovered, epoch: slice.epoch, offset: slice.offset };
    let last = position.offset!;
    for (;;) {
      if (conn.closed) return { recovered, epoch: slice.epoch, offset: last };
      for (const [offset, data] of slice.messages) {
        if (offset <= last) continue;
        this.#hand(conn, { group, offset, epoch: slice.epoch, data: unpackData(data) });
        last = offset;
      }
      if (!slice.more) return { recovered, epoch: slice.epoch, offset: last };
      const next = await read(last);
      // The history moved on while we paged (trimmed past `last`, or a new epoch): the rest cannot be recovered.
      if (next.epoch !== slice.epoch || !next.complete) return { recovered: false, epoch: next.epoch, offset: next.offset };
      slice = next;
    }
  }

  #release(group: string, conn: Connection): void {
    const waiting = this.#recovering.get(group);
    waiting?.delete(conn);
    if (waiting?.size === 0) this.#recovering.delete(group);
  }

  /** The connection closed. */
  forget(conn: Connection): void {
    const floors = this.#floors.get(conn);
    if (!floors) return;
    this.#floorCount -= floors.size;
    this.#floors.delete(conn);
  }

  #setFloor(conn: Connection, group: string, epoch: string, offset: number): void {
    let floors = this.#floors.get(conn);
    if (!floors) this.#floors.set(conn, (floors = new Map()));
    if (!floors.has(group)) this.#floorCount++;
    floors.set(group, { epoch, offset });
  }

  #aboveFloor(conn: Connection, message: GroupMessage): boolean {
    const floors = this.#floors.get(conn);
    const floor = floors?.get(message.group);
    if (!floor) return true;
    if (floor.epoch === message.epoch && message.offset <= floor.offset) return false;
    floors!.delete(message.group);
    this.#floorCount--;
    return true;
  }

  #hand(conn: Connection, message: GroupMessage): void {
    if (conn.closed) return;
    if (this.host.app.onGroupMessage) this.host.call("onGroupMessage", conn, message);
    else conn.send(message.data);
  }
}
