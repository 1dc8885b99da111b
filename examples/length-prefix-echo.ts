// tcp:// example with a custom protocol ("protocol": "./length-prefix-protocol.ts"): answers each packet in upper case.
import type { App } from "workerman-app";

export default {
  onMessage(conn, text: string) {
    conn.send(text.toUpperCase());
  },
} satisfies App;
