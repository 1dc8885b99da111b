/** @jsxImportSource preact */
// Why a process failed, as the CLI prints it: the sentence, the source line with a caret, or its last stderr lines.
import type { FailureReason, LoadErrorReason } from "../../src/admin/contract.ts";

/** The source line with a caret under the column, or null when the error points nowhere in the user's files. */
function sourceBox(at: LoadErrorReason): string | null {
  return at.lineText !== undefined && at.column !== undefined ? `${at.lineText}\n${" ".repeat(Math.max(0, at.column - 1))}^` : null;
}

/** A failure as the CLI prints it: the line, the source line with a caret (each error of a load), or the last stderr lines. */
export function Reason(props: { reason: FailureReason }) {
  const r = props.reason;
  const source = sourceBox(r);
  const more = (r.errors ?? []).slice(1);
  return (
    <div class="error" data-reason={r.kind}>
      <p>{r.text}</p>
      {source && <pre>{source}</pre>}
      {!source && r.stderrTail && r.stderrTail.length > 0 && <pre>{r.stderrTail.slice(-5).join("\n")}</pre>}
      {more.map((one, i) => (
        <div key={i} data-load-error={one.at ?? ""}>
          <p>
            {one.at ? `${one.at} ` : ""}
            {one.message}
          </p>
          {sourceBox(one) && <pre>{sourceBox(one)}</pre>}
        </div>
      ))}
    </div>
  );
}
