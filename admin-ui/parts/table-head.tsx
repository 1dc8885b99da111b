/** @jsxImportSource preact */
// Table header rows: column names (numbers right-aligned) and the unnamed-on-screen cell over a row's buttons.
export function ActionsHead() {
  return (
    <th scope="col">
      <span class="visually-hidden">actions</span>
    </th>
  );
}

/** A header row of `columns`, right-aligned except the names in `text`, ending with the actions cell; `minor` ones hide on a phone. */
export function TableHead({ columns, text, minor = [] }: { columns: string[]; text: string[]; minor?: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((name) => (
          <th scope="col" class={[text.includes(name) ? "" : "num", minor.includes(name) ? "minor" : ""].join(" ").trim() || undefined} key={name}>
            {name}
          </th>
        ))}
        <ActionsHead />
      </tr>
    </thead>
  );
}
