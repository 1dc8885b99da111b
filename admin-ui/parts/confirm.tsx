/** @jsxImportSource preact */
// One modal confirmation for every action that changes the running system (native <dialog>: focus trap and Esc for free).
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

interface Question {
  title: string;
  body: string;
  confirm: string;
  resolve: (yes: boolean) => void;
}

const question = signal<Question | null>(null);

/** Resolves true when the operator presses the confirm button, false on Cancel or Esc. */
export function askConfirm(title: string, body: string, confirm: string): Promise<boolean> {
  question.value?.resolve(false);
  return new Promise((resolve) => (question.value = { title, body, confirm, resolve }));
}

export function ConfirmDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const q = question.value;
  useEffect(() => {
    const dialog = ref.current;
    if (q && dialog && !dialog.open) dialog.showModal();
  }, [q]);
  const answer = (yes: boolean) => {
    q?.resolve(yes);
    question.value = null;
    ref.current?.close();
  };
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onCancel={() => answer(false)}>
      {q && (
        <form method="dialog" onSubmit={(e) => (e.preventDefault(), answer(true))}>
          <h2 id="confirm-title">{q.title}</h2>
          <p>{q.body}</p>
          <div class="row end">
            <button type="button" onClick={() => answer(false)}>
              Cancel
            </button>
            <button type="submit" class="primary" autofocus>
              {q.confirm}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
