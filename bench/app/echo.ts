// The benchmark's echo handler for websocket://, text://, frame://, json and udp:// groups: send every message back as it came.
import type { App } from "workerman-app";

export default {
  onMessage(conn, data) {
    conn.send(data);
  },
} satisfies App;
