/**
 * @file The header row of the Models panel's tables: one column header per name, scoped to its
 * column so screen readers announce it with each cell.
 */

interface ColumnHeadsProps {
  columns: readonly string[];
}

export function ColumnHeads({ columns }: ColumnHeadsProps) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
