/**
 * Saving an export: the file name (arlens-explorer-2026-06-30.csv, the user's local date) and the
 * download itself, through an <a download> on a Blob URL.
 */
export function exportFileName(
  kind: 'explorer' | 'explorer-invoices',
  extension: 'csv' | 'xlsx',
  today: Date,
): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
  return `arlens-${kind}-${date}.${extension}`;
}

/** Let the browser save `blob` as `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL; free it once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
