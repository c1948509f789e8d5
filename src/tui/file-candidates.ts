/**
 * Local file names for /p2pvideo completion: entries of the folder named in `partial` (the
 * working directory when none) that start with the rest, directories marked with `/`.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAX_ENTRIES = 200;

export function listFiles(partial: string, cwd = process.cwd()): string[] {
  const slash = partial.lastIndexOf('/');
  const dirPart = slash >= 0 ? partial.slice(0, slash + 1) : '';
  const prefix = slash >= 0 ? partial.slice(slash + 1) : partial;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.resolve(cwd, dirPart || '.'), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
    .slice(0, MAX_ENTRIES)
    .map((e) => dirPart + e.name + (e.isDirectory() ? '/' : ''));
}
