/** @jsxImportSource preact */
// The header cell over a table's buttons column: named for screen readers, blank on screen.
export function ActionsHead() {
  return (
    <th scope="col">
      <span class="visually-hidden">actions</span>
    </th>
  );
}
