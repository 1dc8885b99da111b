// Makes text safe to print to a terminal or append to a log: control characters become visible `\xHH` escapes.

/**
 * C0 controls but the tab, DEL and C1 (0x9B is a one-byte CSI on some terminals). A client's bytes logged by a
 * handler could otherwise set the operator's window title, clear the screen or forge a log line (a raw newline or
 * carriage return). Backslashes stay as they are, so escaping twice changes nothing (nginx writes `\x1B` the same way).
 */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

export function inertText(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
