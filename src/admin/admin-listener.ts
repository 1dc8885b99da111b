// The admin plane's listening socket: admits connections up to a cap (closing idle unauthenticated ones first), refuses the rest, and sweeps idle ones.
import { AdminConnection, type AdminFetch, type SocketData } from "./admin-connection.ts";
import { plainResponse } from "./http-wire.ts";

/** Idle limits: a stranger's keep-alive connection is dropped soon; an operator's (its requests were authenticated) lives longer. */
const UNAUTHENTICATED_IDLE_MS = 5_000;
const AUTHENTICATED_IDLE_MS = 30_000;
/** A request head must arrive whole within this (slowloris). */
const HEAD_TIMEOUT_MS = 10_000;
const SWEEP_MS = 1_000;

export interface AdminListenerOptions {
  hostname: string;
  port: number;
  maxConnections: number;
  fetch: AdminFetch;
}

/** What the plane's connections did since start, for /metrics. */
export interface AdminConnectionCounts {
  open: number;
  max: number;
  /** Refused at once: the plane was full of connections that were busy or authenticated. */
  refused: number;
  /** Idle unauthenticated connections closed to make room for a new one. */
  evicted: number;
  idleClosed: number;
}

export interface AdminListener {
  port: number;
  counts: AdminConnectionCounts;
  stop: () => void;
}

const FULL = plainResponse(503, "the admin plane is at its connection limit (admin.maxConnections): retry shortly");

export function listenAdmin(options: AdminListenerOptions): AdminListener {
  const open = new Set<AdminConnection>();
  const counts: AdminConnectionCounts = { open: 0, max: options.maxConnections, refused: 0, evicted: 0, idleClosed: 0 };
  const track = () => void (counts.open = open.size);
  let origin = "";
  // The first time a minute, per kind: the counters in /metrics say how many.
  const noted = new Map<string, number>();
  const note = (kind: string, what: string) => {
    const now = performance.now();
    if (now - (noted.get(kind) ?? -Infinity) < 60_000) return;
    noted.set(kind, now);
    console.log(`admin: at its connection limit (admin.maxConnections ${options.maxConnections}): ${what}`);
  };
  // reusePort (missing from Bun's types, honoured by Bun.listen): a restarting master binds beside the old one (see server.ts).
  const listener = Bun.listen<SocketData>({
    hostname: options.hostname,
    port: options.port,
    ...{ reusePort: true },
    data: {},
    socket: {
      open(socket) {
        if (open.size >= options.maxConnections && !evictOne(open, counts, note)) {
          counts.refused++;
          note("refused", "refusing new ones (every open one is busy or authenticated)");
          socket.write(FULL);
          return void socket.end();
        }
        const conn = new AdminConnection(socket, options.fetch, origin);
        socket.data = { conn };
        open.add(conn);
        track();
      },
      data: (socket, chunk) => socket.data.conn?.onData(chunk),
      drain: (socket) => socket.data.conn?.onDrain(),
      close(socket) {
        const conn = socket.data.conn;
        if (!conn) return;
        open.delete(conn);
        track();
        conn.onClose();
      },
      error: (socket) => socket.data.conn?.close(),
    },
  });
  const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  origin = `http://${host}:${listener.port}`;
  const sweep = setInterval(() => sweepIdle(open, counts), SWEEP_MS);
  return {
    port: listener.port,
    counts,
    stop() {
      clearInterval(sweep);
      listener.stop(true);
      for (const conn of open) conn.close();
      open.clear();
      track();
    },
  };
}

/** Closes the idle unauthenticated connection that was quiet longest; false when there is none to close. */
function evictOne(open: Set<AdminConnection>, counts: AdminConnectionCounts, note: (kind: string, what: string) => void): boolean {
  let victim: AdminConnection | undefined;
  for (const conn of open) {
    if (conn.busy || conn.authenticated || conn.streaming) continue;
    if (!victim || conn.lastActive < victim.lastActive) victim = conn;
  }
  if (!victim) return false;
  counts.evicted++;
  note("evicted", "closing the idle connections of unauthenticated clients to admit new ones");
  open.delete(victim);
  victim.close();
  return true;
}

function sweepIdle(open: Set<AdminConnection>, counts: AdminConnectionCounts): void {
  const now = performance.now();
  for (const conn of open) {
    if (conn.busy || conn.streaming) continue;
    const trickling = conn.headStartedAt > 0 && now - conn.headStartedAt > HEAD_TIMEOUT_MS;
    const idleFor = now - conn.lastActive;
    if (trickling || idleFor > (conn.authenticated ? AUTHENTICATED_IDLE_MS : UNAUTHENTICATED_IDLE_MS)) {
      counts.idleClosed++;
      conn.close();
    }
  }
}
