// Binds a unix:// listening socket in the master, so every worker can share it by descriptor (beside the old one on restart).
// The master must not poll it (it would take connections itself), so it is made with plain syscalls, not Bun.listen.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { chmodSync, lstatSync, renameSync, type Stats, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AppError } from "../errors.ts";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SUN_PATH_MAX = 107;
const BACKLOG = 511;

function libc() {
  return dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;
}

/** True when some live process accepts connections on `path`. */
async function isServed(path: string): Promise<boolean> {
  try {
    const socket = await Bun.connect({ unix: path, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** What is at `path` now, or null: lstat, so a symlink is seen as itself and never followed. */
function existing(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "not a socket file";
}

/** Only a socket nobody accepts on may be removed: anything else at the path is someone's data. */
async function clearStaleSocket(path: string, field: string): Promise<void> {
  const stats = existing(path);
  if (stats === null) return;
  if (!stats.isSocket()) {
    throw new AppError("E_LISTEN", `${path} exists and is not a socket (${kindOf(stats)}): remove or move it, or choose another unix:// path`, { field });
  }
  if (await isServed(path)) throw new AppError("E_LISTEN", `${path} is served by another running process: stop it or choose another path`, { field });
  unlinkSync(path);
}

/** Replaces a stale socket file, refuses anything else at the path, binds, and returns the fd. */
export async function bindUnixSocket(path: string, mode: number, field: string): Promise<number> {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > SUN_PATH_MAX)
    throw new AppError("E_CONFIG", `unix socket path is ${bytes.length} bytes; the limit is ${SUN_PATH_MAX}: use a shorter path`, { field });
  await clearStaleSocket(path, field);
  return bindAt(path, bytes, mode, field);
}

/** A socket bound by the master, remembered by its file's inode so only the master that owns the path removes it. */
export interface BoundSocket {
  fd: number;
  /** Where it is bound now: the configured path, or a temporary one beside it until `moveInto`. */
  boundPath: string;
  path: string;
  inode: number;
}

/**
 * Binds a group's socket at `path`. With `beside` (restart) while the old master still serves `path`: binds
 * beside it (same folder, since rename(2) is atomic only within one file system), and `moveInto` renames it
 * over `path` once the new workers are ready; new connections then reach it, accepted ones stay where they are.
 */
export async function bindGroupSocket(path: string, mode: number, field: string, beside: boolean): Promise<BoundSocket> {
  const current = existing(path);
  if (!beside || !current?.isSocket() || !(await isServed(path))) {
    const fd = await bindUnixSocket(path, mode, field);
    return { fd, boundPath: path, path, inode: statSync(path).ino };
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}`);
  const bytes = new TextEncoder().encode(temp);
  if (bytes.length > SUN_PATH_MAX) {
    throw new AppError("E_CONFIG", `restart binds ${temp} beside the socket, ${bytes.length} bytes; the limit is ${SUN_PATH_MAX}: use a shorter path`, {
      field,
    });
  }
  // Only a socket left by a restart that died halfway may be replaced there; anything else is refused.
  await clearStaleSocket(temp, field);
  const fd = bindAt(temp, bytes, mode, field);
  return { fd, boundPath: temp, path, inode: statSync(temp).ino };
}

/** Atomically points `path` at the socket bound beside it. */
export function moveInto(socket: BoundSocket): void {
  if (socket.boundPath === socket.path) return;
  renameSync(socket.boundPath, socket.path);
  socket.boundPath = socket.path;
}

/** Removes the socket file at shutdown only while it is still this master's: after a restart it is the successor's. */
export function removeOwnSocketFile(socket: BoundSocket): void {
  const stats = existing(socket.boundPath);
  if (!stats || stats.ino !== socket.inode) return;
  try {
    unlinkSync(socket.boundPath);
  } catch {
    // already gone
  }
}

function bindAt(path: string, bytes: Uint8Array, mode: number, field: string): number {
  const sys = libc();
  const fd = sys.socket(AF_UNIX, SOCK_STREAM, 0);
  const address = new Uint8Array(2 + SUN_PATH_MAX + 1);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(bytes, 2);
  // bind(2) creates the file with the umask's mode: owner-only until the chmod, so no one else connects in between.
  const umask = process.umask(0o177);
  let bound: boolean;
  try {
    bound = fd >= 0 && sys.bind(fd, ptr(address), address.byteLength) === 0 && sys.listen(fd, BACKLOG) === 0;
  } finally {
    process.umask(umask);
  }
  if (!bound) {
    if (fd >= 0) sys.close(fd);
    throw new AppError("E_LISTEN", `cannot bind unix socket ${path} (check that its folder exists and is writable)`, { field });
  }
  chmodSync(path, mode);
  return fd;
}
