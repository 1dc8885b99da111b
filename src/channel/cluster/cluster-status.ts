// What the cross-host channel reports of its Redis link (a part of /api/status).

export interface StatusCluster {
  /** The Redis URL, password hidden. */
  redis: string;
  /** This master's id among the instances. */
  instance: string;
  connected: boolean;
  /** Failed Redis operations and lost connections since start (cross-host messages dropped meanwhile). */
  failures: number;
  reconnects: number;
  lastError: string | null;
  /** Bytes handed to Redis and not yet answered (at most cluster.maxPendingBytes). */
  pendingBytes: number;
  /** Publishes and commands refused at that cap since start (cross-host messages dropped). */
  pendingRefused: number;
  /** While disconnected: since when (unix ms; the master's start if it never connected). */
  disconnectedSince?: number | null;
  /** Live instances announced in Redis, this one included (null until the first count, and while disconnected). */
  instances?: number | null;
  /** Signed cluster commands (cluster.secretFile): on or off, and those addressed here, accepted or refused by reason. */
  commands?: { on: boolean; accepted: number; refused: Record<string, number> };
}
