import type { WeightFileSummary } from './weight-file-summary';

/** Longest metadata value shown in the text output (`--json` shows them whole). */
const MAX_METADATA_TEXT = 160;

const integerFormat = new Intl.NumberFormat('en-US');

/** `4,938,312 bytes (4.71 MiB)`. */
function describeBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = bytes;
  let unit = '';
  for (const next of units) {
    if (scaled < 1024) break;
    scaled /= 1024;
    unit = next;
  }
  const exact = `${integerFormat.format(bytes)} bytes`;
  return unit ? `${exact} (${scaled.toFixed(2)} ${unit})` : exact;
}

/** Rows padded into left-aligned columns separated by two spaces. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The human-readable `ratlip inspect` report: a header block, one line per tensor, then the metadata. */
export function renderSummary(summary: WeightFileSummary): string {
  const lines = table([
    ['file', summary.file],
    ['format', summary.format],
    ['size', describeBytes(summary.fileBytes)],
    ['tensors', integerFormat.format(summary.tensors.length)],
    ['parameters', integerFormat.format(summary.parameters)],
  ]);
  if (summary.tensors.length > 0) {
    lines.push(
      '',
      ...table([
        ['name', 'dtype', 'shape', 'count'],
        ...summary.tensors.map((tensor) => [
          tensor.name,
          tensor.dtype,
          `[${tensor.shape.join(', ')}]`,
          integerFormat.format(tensor.count),
        ]),
      ]),
    );
  }
  const metadata = Object.entries(summary.metadata);
  if (metadata.length > 0) {
    lines.push('', 'metadata');
    for (const line of table(
      metadata.map(([key, value]) => {
        const text = typeof value === 'string' ? value.replace(/\s+/g, ' ') : JSON.stringify(value);
        return [
          `  ${key}`,
          text.length <= MAX_METADATA_TEXT ? text : `${text.slice(0, MAX_METADATA_TEXT - 3)}...`,
        ];
      }),
    )) {
      lines.push(line);
    }
  }
  return `${lines.join('\n')}\n`;
}
