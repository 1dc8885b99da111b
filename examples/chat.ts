// websocket:// example: chat rooms through the channel, so a room reaches its members on every process (and host, with cluster.redis).
// Send a line to talk; "/join ROOM" changes room, "/nick NAME" your name. Everyone starts in "lobby".
import type { App, Connection } from "workerman-app";

const LOBBY = "lobby";

function nameOf(conn: Connection): string {
  return (conn.context.nick as string | undefined) ?? `#${conn.id}@${process.pid}`;
}

function roomOf(conn: Connection): string {
  return conn.worker.channel.groupsOf(conn)[0] ?? LOBBY;
}

export default {
  async onConnect(conn) {
    // Awaited: once the master has the member, any process's next send to the lobby reaches it.
    await conn.worker.channel.joinGroup(conn, LOBBY);
    conn.send(`welcome, you are #${conn.id} on pid ${process.pid}, in ${LOBBY}; /join ROOM, /nick NAME`);
    conn.worker.channel.sendToGroup(LOBBY, `${nameOf(conn)} joined ${LOBBY}`, { exclude: conn });
  },
  async onMessage(conn, text) {
    const { channel } = conn.worker;
    const [command, ...words] = text.trim().split(/\s+/);
    const arg = words.join(" ").slice(0, 64);
    if (command === "/join" && arg) {
      const from = roomOf(conn);
      channel.leaveGroup(conn, from);
      channel.sendToGroup(from, `${nameOf(conn)} left ${from}`);
      // Awaited before anyone is told: a member told "joined" hears every later send to the room, from any process.
      await channel.joinGroup(conn, arg);
      channel.sendToGroup(arg, `${nameOf(conn)} joined ${arg}`);
      return;
    }
    if (command === "/nick" && arg) {
      const before = nameOf(conn);
      conn.context.nick = arg;
      channel.sendToGroup(roomOf(conn), `${before} is now ${arg}`);
      return;
    }
    channel.sendToGroup(roomOf(conn), `[${roomOf(conn)}] ${nameOf(conn)}: ${text}`);
  },
  onClose(conn) {
    // groupsOf still answers here: the channel forgets a connection's groups after its onClose.
    const room = conn.worker.channel.groupsOf(conn)[0];
    if (room) conn.worker.channel.sendToGroup(room, `${nameOf(conn)} left ${room}`);
  },
} satisfies App<string>;
