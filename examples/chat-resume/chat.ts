// A chat whose clients never miss a line: rooms are channel groups with history, and a client rejoins from its last offset.
import type { App, Connection } from "workerman-app";

/**
 * The wire, JSON text frames:
 *   client: {"join": ROOM, "offset"?: N, "epoch"?: E}   (offset and epoch of the last line it holds in ROOM, if any)
 *           {"say": TEXT, "room": ROOM} | {"who": ROOM}
 *   server: {"joined": ROOM, "recovered", "offset", "epoch"}  after the lines it missed (recovered: false = reload)
 *           {"room", "offset", "epoch", "line": {"from", "text"} | {"left": NAME} | {"came": NAME}}
 *           {"members": ROOM, "names": [...]}
 * Connect with ?name=alice. Keep the last offset and epoch per room; send them again when you reconnect.
 */
type ClientFrame = { join?: string; offset?: number; epoch?: string; say?: string; room?: string; who?: string };

// Set when this process is being replaced: its clients are closed with 1001 and come back to the new one.
let reloading = false;

const roomGroup = (room: string) => `chat:${room}`;
const ROOM = /^[\w-]{1,40}$/;

function nameOf(conn: Connection): string {
  return conn.worker.channel.uidOf(conn) ?? `guest-${conn.id}`;
}

async function handle(conn: Connection, frame: ClientFrame): Promise<void> {
  const { channel } = conn.worker;
  if (frame.join !== undefined) {
    if (!ROOM.test(frame.join)) return void conn.send(JSON.stringify({ error: "join: a room name is 1-40 letters, digits, - or _" }));
    const fresh = !channel.groupsOf(conn).includes(roomGroup(frame.join)) && frame.offset === undefined;
    const result = await channel.recover(conn, roomGroup(frame.join), { offset: frame.offset, epoch: frame.epoch });
    conn.send(JSON.stringify({ joined: frame.join, ...result }));
    if (fresh) channel.publishToGroup(roomGroup(frame.join), JSON.stringify({ came: nameOf(conn) }));
  } else if (frame.say !== undefined && frame.room !== undefined) {
    // Only members speak: a client cannot write into a room it has not joined.
    if (!channel.groupsOf(conn).includes(roomGroup(frame.room))) return void conn.send(JSON.stringify({ error: `say: join ${frame.room} first` }));
    channel.publishToGroup(roomGroup(frame.room), JSON.stringify({ from: nameOf(conn), text: String(frame.say).slice(0, 2000) }));
  } else if (frame.who !== undefined) {
    conn.send(JSON.stringify({ members: frame.who, names: await channel.getGroupMembers(roomGroup(frame.who)) }));
  }
}

export default {
  onWorkerReload() {
    reloading = true;
  },
  onWebSocketConnect(conn, request) {
    const name = new URL(request.url).searchParams.get("name");
    if (name && /^[\w-]{1,32}$/.test(name)) conn.context.name = name;
  },
  onConnect(conn) {
    if (typeof conn.context.name === "string") conn.worker.channel.bindUid(conn, conn.context.name);
  },
  async onMessage(conn, data: string) {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(data) as ClientFrame;
    } catch {
      return void conn.send(JSON.stringify({ error: "frames are JSON" }));
    }
    await handle(conn, frame);
  },
  // Every line goes out with its room's offset and epoch: that is what the client hands back on reconnect.
  onGroupMessage(conn, message) {
    const room = message.group.slice("chat:".length);
    conn.send(`{"room":${JSON.stringify(room)},"offset":${message.offset},"epoch":"${message.epoch}","line":${message.data}}`);
  },
  onClose(conn) {
    // The connection has left its groups, but uidOf/groupsOf still answer here. A reload closes everyone with
    // 1001: those come back and recover, so "left" is only said for a close the client asked for.
    const { channel } = conn.worker;
    if (reloading) return;
    for (const group of channel.groupsOf(conn)) channel.publishToGroup(group, JSON.stringify({ left: nameOf(conn) }));
  },
} satisfies App;
