// Asks the kernel to SIGKILL this worker when its master dies: unlike a check in the worker's own loop, it works while that loop is stuck.
import { dlopen, FFIType } from "bun:ffi";

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;
/** glibc, then the unversioned name some distributions (and musl's compat links) use. */
const LIBC = ["libc.so.6", "libc.so"];

/**
 * prctl(PR_SET_PDEATHSIG, SIGKILL) through bun:ffi. "unavailable" where it cannot be asked (not Linux, no libc to
 * open): the caller keeps its own polling then. `parent` is the ppid read before: a master that died before the
 * kernel knew to watch it is caught by comparing again after ("orphaned": the caller exits at once).
 */
export function dieWithParent(parent: number): "armed" | "orphaned" | "unavailable" {
  if (process.platform !== "linux") return "unavailable";
  for (const name of LIBC) {
    let armed: boolean;
    try {
      const libc = dlopen(name, { prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 } });
      armed = libc.symbols.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) === 0;
      libc.close();
    } catch {
      continue;
    }
    if (!armed) return "unavailable";
    return process.ppid === parent ? "armed" : "orphaned";
  }
  return "unavailable";
}
