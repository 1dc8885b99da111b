// Writes values into a systemd unit file the way systemd reads them back: specifiers, variables, quoting and escapes.
import { AppError } from "../errors.ts";

/**
 * A line break would inject directives into [Service] and systemd has no escape for one outside command lines, so
 * any control character is refused, as are the leading or trailing blanks that systemd trims from a value.
 */
export function refuseUnwritable(value: string, what: string): void {
  const control = /[\x00-\x1f\x7f]/.exec(value);
  if (control) {
    const code = `\\x${control[0].charCodeAt(0).toString(16).padStart(2, "0")}`;
    throw new AppError("E_USAGE", `${what} contains a control character (${code}), which a systemd unit cannot hold: use a path without one`);
  }
  if (value !== value.trim()) throw new AppError("E_USAGE", `${what} begins or ends with a blank, which systemd trims: use a path without one`);
}

/** A plain setting (WorkingDirectory=, Description=): taken as written, except `%` specifiers (`/srv/100%h` would expand). */
export function unitValue(value: string, what: string): string {
  refuseUnwritable(value, what);
  return value.replaceAll("%", "%%");
}

/**
 * One word of ExecStart=: systemd splits on blanks, honours C escapes inside double quotes, expands `$VAR` and `%`
 * specifiers everywhere, and takes a lone `;` as a command separator. A double-quoted JSON string escapes `\` and `"`
 * exactly as systemd unescapes them (the same rule as nixpkgs' escapeSystemdExecArg).
 */
export function execArgument(value: string, what: string): string {
  refuseUnwritable(value, what);
  const plain = /^[\w@+=:,./-]+$/.test(value);
  return plain ? value : JSON.stringify(value).replaceAll("%", "%%").replaceAll("$", "$$$$");
}
