// udp:// example: echoes each datagram back to its sender.
import type { App } from "workerman-app";

export default {
  onMessage(conn, datagram: Buffer) {
    conn.send(datagram);
  },
} satisfies App;
