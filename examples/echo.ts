// text:// example: newline-delimited echo, with a timer that reports how many clients are connected.
import type { App } from "workerman-app";

export default {
  onWorkerStart(worker) {
    worker.timers.add(30, () => console.log(`${worker.connections.size} echo clients connected`));
  },
  onMessage(conn, line: string) {
    conn.send(`echo: ${line}`);
  },
} satisfies App;
