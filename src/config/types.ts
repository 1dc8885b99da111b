// The validated, resolved configuration the rest of the product reads (all paths absolute).
export type Scheme = "http" | "websocket" | "tcp" | "text" | "frame" | "udp" | "unix";

export interface ListenAddress {
  scheme: Scheme;
  /** Host for network schemes ("127.0.0.1", "0.0.0.0", "::1"); "" for unix. */
  host: string;
  /** 0 means "pick a free port": the master resolves it once for the whole group. */
  port: number;
  /** Absolute socket path for unix://. */
  path?: string;
  /** The URL as written in app.json. */
  url: string;
}

export interface SslConfig {
  cert: string;
  key: string;
}

/** "text" | "frame" | "json" or the absolute path of a custom protocol module. */
export type ProtocolName = string;

export interface WorkerGroupConfig {
  name: string;
  listen: ListenAddress;
  count: number;
  handler: string;
  /** Stream listeners: the framing of messages; undefined = raw chunks (tcp/unix) or implied by text:// / frame://. */
  protocol?: ProtocolName;
  static?: string;
  /** Static folder: serve dotfiles (refused by default). */
  staticDotfiles?: boolean;
  /** Static folder: serve symlinks that leave it (refused by default). */
  staticOutsideSymlinks?: boolean;
  reloadable: boolean;
  ssl?: SslConfig;
  maxPackageSize: number;
  maxSendBufferSize: number;
  maxMemoryMB?: number;
  /** http:// request body limit in bytes. */
  maxBodySize: number;
  /** Bytes a process may hold in partial packets and unread bodies before it closes the heaviest connections. */
  maxBufferedInput: number;
  /** Seconds a partial packet or body may take to complete; 0 never. */
  packageTimeout: number;
  /** Connections a process accepts (undefined: from the open-files limit, read by the worker). */
  maxConnections?: number;
  /** Connections a process accepts from one address (undefined: no limit). */
  maxConnectionsPerIp?: number;
  /** Seconds a connection may stay silent before it is closed (http keep-alive, stream sockets). */
  idleTimeout: number;
  /** unix:// socket file mode, e.g. 0o660. */
  socketMode: number;
  /** Extra environment for this group's processes. */
  env: Record<string, string>;
  /** This group's reload settle window in seconds (overrides reload.healthySeconds). */
  healthySeconds?: number;
  /** This group's probation after a reload in seconds (overrides reload.probationSeconds). */
  probationSeconds?: number;
  /** Seconds a ready process may send nothing before it is killed and replaced as unresponsive; 0 off. */
  watchdogSeconds: number;
}

/** The reload health gate, in seconds. */
export interface ReloadConfig {
  healthySeconds: number;
  startTimeout: number;
  /** After a reload the old generation stays parked this long, ready to take over again; 0 off. */
  probationSeconds: number;
}

export interface AdminConfig {
  host: string;
  port: number;
  tokenFile?: string;
  metricsPublic: boolean;
  /** Must be true to bind the admin plane to a non-loopback address. */
  allowRemote: boolean;
  /** Cap on open admin connections before the descriptor budget lowers it (the loader always sets it: 256 by default). */
  maxConnections?: number;
  /** argon2id hash (Bun.password) of an optional dashboard password. */
  passwordHash?: string;
  /** Host names the admin plane answers to besides IP literals and localhost (DNS rebinding guard). */
  allowedHosts?: string[];
}

/** Retention of the master's SQLite store, in seconds. */
export interface StoreConfig {
  keepSecondSamples: number;
  keepMinuteSamples: number;
  keepEvents: number;
}

export interface ClusterConfig {
  redis: string;
  /** Bytes that may wait for Redis's answer; past them publishes are refused and counted. */
  maxPendingBytes: number;
  /** Absolute path of the secret that signs cluster commands; absent: cluster commands are off. */
  secretFile?: string;
}

/** Bounds of worker.shared (src/key-value/). */
export interface SharedConfig {
  maxKeys: number;
  /** Bytes of one value as JSON text. */
  maxValueBytes: number;
}

/** How many messages of a group are kept, and for how long (channel.publishToGroup / recover). */
export interface HistoryRule {
  match: string;
  size: number;
  ttlSeconds: number;
  maxBytes?: number;
}

export interface ChannelConfig {
  history?: { size: number; ttlSeconds: number; maxBytes: number; maxTotalBytes: number; groups: HistoryRule[] };
}

export interface LogConfig {
  maxBytes: number;
  keep: number;
  /** "json": one object per line, in the daemon log and on the foreground output. */
  format: "text" | "json";
}

export interface AppConfig {
  name: string;
  configPath: string;
  baseDir: string;
  dataDir: string;
  /** Seconds an old process may take to finish its connections on stop/reload. */
  stopTimeout: number;
  /** Seconds a graceful stop/reload waits for an old process's connections before SIGKILL. */
  gracefulTimeout: number;
  /** Milliseconds an old http process answers `Connection: close` before it closes its listener. */
  drainWindowMs: number;
  admin: AdminConfig;
  log: LogConfig;
  store: StoreConfig;
  reload: ReloadConfig;
  cluster?: ClusterConfig;
  /** Always set by the loader (defaults: 100000 keys, 64 KiB values). */
  shared?: SharedConfig;
  channel?: ChannelConfig;
  workers: WorkerGroupConfig[];
}
