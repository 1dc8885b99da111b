// A backend's side of the control listener: `PUSH_SECRET=... bun examples/push/control-client.ts SOCKET (--uid U | --all) MESSAGE`.
import { signCommand, type ControlTarget } from "./control-frame.ts";

export type ControlAddress = { unix: string } | { hostname: string; port: number };

/** Sends one signed command and resolves with the listener's answer. */
export async function sendControl(
  address: ControlAddress,
  secret: string,
  to: ControlTarget,
  data: string,
  timeoutMs = 3000,
): Promise<{ ok: boolean; error?: string }> {
  const body = Buffer.from(signCommand(secret, { to, data }));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length + 4); // the frame protocol's length counts its own 4 bytes
  const reply = Promise.withResolvers<{ ok: boolean; error?: string }>();
  let buffered = Buffer.alloc(0);
  const timer = setTimeout(() => reply.reject(new Error("no answer from the control listener")), timeoutMs);
  const socket = await Bun.connect({
    ...address,
    socket: {
      data(_s, chunk) {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 4 && buffered.length >= buffered.readUInt32BE(0)) {
          reply.resolve(JSON.parse(buffered.subarray(4, buffered.readUInt32BE(0)).toString()));
        }
      },
      close() {
        reply.reject(new Error("the control listener closed the connection"));
      },
    },
  } as Parameters<typeof Bun.connect>[0]);
  socket.write(Buffer.concat([header, body]));
  try {
    return await reply.promise;
  } finally {
    clearTimeout(timer);
    socket.end();
  }
}

if (import.meta.main) {
  const [where, flag, value, message] = process.argv.slice(2);
  const secret = process.env.PUSH_SECRET;
  const to: ControlTarget | null = flag === "--uid" && value ? { uid: value } : flag === "--all" ? { all: true } : null;
  const data = flag === "--all" ? value : message;
  if (!secret || !where || !to || data === undefined) {
    console.error("usage: PUSH_SECRET=... bun examples/push/control-client.ts (SOCKET_PATH | HOST:PORT) (--uid U | --all) MESSAGE");
    process.exit(2);
  }
  const colon = where.lastIndexOf(":");
  const address: ControlAddress =
    where.includes("/") || colon < 0 ? { unix: where } : { hostname: where.slice(0, colon), port: Number(where.slice(colon + 1)) };
  const answer = await sendControl(address, secret, to, data);
  console.log(JSON.stringify(answer));
  process.exit(answer.ok ? 0 : 1);
}
