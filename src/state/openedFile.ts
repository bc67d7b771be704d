/**
 * The local file last opened (a File is not plain state, so it stays out of the store): Recent keeps a copy of it in
 * the browser when the user agrees.
 */
let last: File | null = null;

export function rememberOpenedFile(file: File): void {
  last = file;
}

export function lastOpenedFile(): File | null {
  return last;
}
