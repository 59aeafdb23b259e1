// CSV in both directions: reading a roster the way the Class Management Service does, to show
// its rows, and writing a batch's results for a spreadsheet.
export const DELIMITERS = [",", ";", "\t"] as const;

/** The text of a roster file: UTF-16 with BOM, UTF-8 (BOM optional), else cp1252. */
export function decodeRoster(bytes: Uint8Array): string {
  const [b0, b1] = bytes;
  let text: string;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    text = new TextDecoder(b0 === 0xff ? "utf-16le" : "utf-16be").decode(bytes);
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder("windows-1252").decode(bytes);
    }
  }
  return text.replace(/^\uFEFF/, "").normalize("NFC");
}

/** The delimiter used most often outside quotes on the first non-blank line. */
export function sniffDelimiter(text: string): string {
  const header = text.split(/\r\n|\n|\r/).find((line) => line.trim()) ?? "";
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of header) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: string = ",";
  let most = 0;
  for (const delimiter of DELIMITERS) {
    const count = counts.get(delimiter) ?? 0;
    if (count > most) [best, most] = [delimiter, count];
  }
  return best;
}

/** RFC 4180 records: quoted fields may hold delimiters, quotes ("") and line breaks. */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === delimiter) {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export interface RosterPreview {
  header: string[];
  /** Row numbers as the service counts them: 1 is the first record after the header. */
  rows: { row: number; cells: string[] }[];
}

const isBlank = (record: string[]) => !record.some((cell) => cell.trim());

export function previewRoster(text: string): RosterPreview {
  const records = parseCsv(text);
  const headerAt = records.findIndex((record) => !isBlank(record));
  if (headerAt < 0) return { header: [], rows: [] };
  const rows = records
    .slice(headerAt + 1)
    .map((cells, offset) => ({ row: offset + 1, cells }))
    .filter(({ cells }) => !isBlank(cells));
  return { header: records[headerAt] ?? [], rows };
}

function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // A leading = + - @ would be run as a formula by a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
