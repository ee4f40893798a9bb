// CSV as the tables and runs.csv write it (RFC 4180): cells with a comma, quote or line break are
// quoted, so a control's name with a comma stays one cell.

export function csvLine(cells: readonly (string | number | undefined)[]): string {
  const cell = (c: string | number | undefined) => {
    const t = String(c ?? '');
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return cells.map(cell).join(',');
}
