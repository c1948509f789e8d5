const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The last second formatted: a burst of messages shares its timestamp text. Module-level on
 * purpose and safe to share: a memo of a pure function (same second, same text), replaced
 * whole in one assignment, so any number of servers and logs in a process read a right value.
 */
let cached = { second: Number.NaN, text: '' };

/**
 * SPEC.md's timestamp, strftime `%d %b %Y %H:%M:%S` in local time.
 * Example: `01 Jun 2022 21:30:04`.
 */
export function formatTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cached.second) return cached.text;
  const d = new Date(ms);
  const text =
    `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  cached = { second, text };
  return text;
}
