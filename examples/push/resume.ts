// Resuming after a reconnect: the client names the last offset and epoch it holds per stream, the server replays the gap.
import type { Connection, GroupMessage, GroupPosition, RecoverResult } from "workerman-app";
import { EVERYONE } from "./settings.ts";

/** The two streams a client follows: broadcasts, and its own user's messages. */
export type Stream = "all" | "mine";

export const userGroup = (uid: string) => `push:user:${uid}`;

/**
 * `?resume` opts in: frames then come as `{"stream","offset","epoch","data"}` (without it, the data alone, as
 * before). `?all=OFFSET.EPOCH&mine=OFFSET.EPOCH` are the last positions the client holds; absent: a first visit.
 */
export function resumeRequest(url: string): Partial<Record<Stream, GroupPosition>> | null {
  const params = new URL(url).searchParams;
  if (!params.has("resume")) return null;
  const positions: Partial<Record<Stream, GroupPosition>> = {};
  for (const stream of ["all", "mine"] as const) {
    const match = /^(\d{1,15})\.([\w-]{1,64})$/.exec(params.get(stream) ?? "");
    if (match) positions[stream] = { offset: Number(match[1]), epoch: match[2] };
  }
  return positions;
}

/** Joins both streams, replaying what the client missed, then tells it where each stream stands. */
export async function joinStreams(conn: Connection, uid: string): Promise<void> {
  const { channel } = conn.worker;
  const positions = conn.context.resume as Partial<Record<Stream, GroupPosition>> | undefined;
  if (!positions) {
    await Promise.all([channel.joinGroup(conn, EVERYONE), channel.joinGroup(conn, userGroup(uid))]);
    return;
  }
  const [all, mine] = await Promise.all([channel.recover(conn, EVERYONE, positions.all), channel.recover(conn, userGroup(uid), positions.mine)]);
  // recovered: false means the gap could not be replayed (too old, or the history was lost): reload your state.
  conn.send(JSON.stringify({ resumed: { all, mine } satisfies Record<Stream, RecoverResult> }));
}

/** onGroupMessage: the envelope for clients that resume, the plain data for the others. */
export function deliver(conn: Connection, message: GroupMessage): void {
  if (!conn.context.resume) return void conn.send(message.data);
  const stream: Stream = message.group === EVERYONE ? "all" : "mine";
  conn.send(JSON.stringify({ stream, offset: message.offset, epoch: message.epoch, data: String(message.data) }));
}
