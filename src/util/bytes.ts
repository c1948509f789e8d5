/** Byte counts for people, shared by the core's refusal reasons and the faces' lines. */

/** Human-readable size: 0 B, 1023 B, 1.0 KiB, 12.3 MiB ... */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}
