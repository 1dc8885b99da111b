// websocket:// example: a chat room; each message goes to every client connected to the same worker process.
import type { App } from "workerman-app";

export default {
  onConnect(conn) {
    conn.send(`welcome, you are #${conn.id} on pid ${process.pid}`);
  },
  onMessage(conn, data) {
    for (const other of conn.worker.connections.values()) other.send(`#${conn.id}: ${data}`);
  },
  onClose(conn) {
    for (const other of conn.worker.connections.values()) other.send(`#${conn.id} left`);
  },
} satisfies App;
