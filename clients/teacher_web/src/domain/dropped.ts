// Files out of a drop, folders walked: browsers hand a dropped folder over as an entry tree.
export interface PickedFile {
  file: File;
  /** Path inside the dropped or chosen folder, for display ("9A/anna.docx"). */
  name: string;
}

// Hidden files (.DS_Store, ._anna.docx from macOS, desktop.ini) are never essays.
const SKIPPED = /^(\.|desktop\.ini$|thumbs\.db$)/i;

export function isEssayCandidate(name: string): boolean {
  const base = name.split("/").pop() ?? name;
  return !SKIPPED.test(base);
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    // readEntries answers in chunks (100 in Chromium) until it answers with none.
    const next = () =>
      reader.readEntries((entries) => {
        if (entries.length === 0) resolve(all);
        else {
          all.push(...entries);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, name: prefix + entry.name });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    for (const child of children) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

export async function filesFromDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(transfer.items ?? [])
    .filter((item) => item.kind === "file")
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const picked: PickedFile[] = [];
  if (entries.length > 0 && entries.every((entry) => entry !== null)) {
    for (const entry of entries) await walk(entry as FileSystemEntry, "", picked);
  } else {
    for (const file of Array.from(transfer.files)) picked.push({ file, name: file.name });
  }
  return picked.filter((p) => isEssayCandidate(p.name));
}

export function filesFromInput(input: HTMLInputElement): PickedFile[] {
  return Array.from(input.files ?? [])
    .map((file) => ({ file, name: file.webkitRelativePath || file.name }))
    .filter((p) => isEssayCandidate(p.name));
}
