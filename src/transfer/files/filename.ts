/**
 * File names that arrive from a peer are untrusted: keep the last path component only, drop
 * control and bidi-override characters and leading dots, cap the length in UTF-8 bytes
 * (keeping the extension), and give up (null) when nothing usable remains.
 */
import { clipUtf8 } from '../wire/messages.js';

export const MAX_FILE_NAME_BYTES = 200;

// C0/C1 controls, DEL, and bidi controls that make "evil\u202Etxt.exe" look like a .txt.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitizeFileName(name: string): string | null {
  if (typeof name !== 'string') return null;
  const last = name.split(/[/\\]/).pop() ?? '';
  let clean = last.replace(UNSAFE, '').trim();
  clean = clean.replace(/^\.+/, '').replace(/[. ]+$/, '');
  if (clean === '') return null;
  if (Buffer.byteLength(clean, 'utf8') <= MAX_FILE_NAME_BYTES) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 ? clean.slice(dot) : '';
  const extBytes = Buffer.byteLength(ext, 'utf8');
  if (ext && extBytes <= 20) {
    const stem = clipUtf8(clean.slice(0, dot), MAX_FILE_NAME_BYTES - extBytes).toString('utf8');
    return stem ? stem + ext : null;
  }
  return clipUtf8(clean, MAX_FILE_NAME_BYTES).toString('utf8');
}
