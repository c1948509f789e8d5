/**
 * A transparent user-space delay for everything the wan namespace forwards (the kernel here
 * has no netem). Node cannot attach a TUN device (no ioctl), so a ~30-line python3 script
 * does it: it opens TUN device `dly0` in the wan namespace, and policy routing in the wan sends
 * every packet that arrives on a wan-side link into dly0:
 *
 *   u0 ──► [ip rule iif u0 → table 100: default dev dly0] ──► python holds it delayMs
 *      ──► written back into dly0, arrives with iif dly0 → main table ──► u1
 *
 * Addresses, ports and NAT mappings are untouched (the script never parses the packets), so
 * hole punching, TCP and IPv6 see a real, longer path. Packets the wan itself sends or
 * receives skip it (the local table comes first; locally sent packets have iif lo).
 * The script exits when its stdin closes, so it cannot outlive the test process.
 */
import type { ChildProcess } from 'node:child_process';
import { must, spawnIn } from './netns-exec.js';

export const DELAY_IF = 'dly0';
const TABLE = '100';

const SCRIPT = `
import collections, fcntl, os, select, struct, sys, time
name, delay, cap = sys.argv[1], float(sys.argv[2]) / 1000.0, int(sys.argv[3])
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', name.encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
os.set_blocking(fd, False)
stdin = sys.stdin.fileno()
queue = collections.deque()
sys.stdout.write('ready\\n'); sys.stdout.flush()
while True:
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        try: os.write(fd, queue.popleft()[1])
        except OSError: pass
    wait = max(0.0, queue[0][0] - now) if queue else None
    ready, _, _ = select.select([fd, stdin], [], [], wait)
    if stdin in ready and not os.read(stdin, 4096): sys.exit(0)
    if fd in ready:
        while True:
            try: packet = os.read(fd, 65536)
            except BlockingIOError: break
            if len(queue) < cap: queue.append((time.monotonic() + delay, packet))
`;

/** Starts the delay router in `wanNs` and routes traffic arriving on `links` through it. */
export async function startDelayRouter(
  wanNs: string,
  links: string[],
  delayMs: number,
  track: (child: ChildProcess) => void,
): Promise<void> {
  const child = spawnIn(wanNs, ['python3', '-c', SCRIPT, DELAY_IF, String(delayMs), '100000']);
  track(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.once('error', (e) => reject(new Error(`netns delay router: ${e.message}`)));
    child.once('exit', (code) =>
      reject(
        new Error(`netns: wanImpairment.delayMs needs python3; it exited ${code}: ${err.trim()}`),
      ),
    );
  });
  const ip = (...args: string[]) => must('ip', ['-n', wanNs, ...args]);
  await ip('link', 'set', DELAY_IF, 'up', 'txqueuelen', '10000');
  // Packets come back on dly0 with a source that routes out another link: no reverse-path check.
  await must('ip', [
    'netns',
    'exec',
    wanNs,
    'sysctl',
    '-qw',
    'net.ipv4.conf.all.rp_filter=0',
    `net.ipv4.conf.${DELAY_IF}.rp_filter=0`,
    'net.ipv6.conf.all.forwarding=1',
  ]);
  await ip('route', 'add', 'default', 'dev', DELAY_IF, 'table', TABLE);
  await ip('-6', 'route', 'add', 'default', 'dev', DELAY_IF, 'table', TABLE);
  for (const link of links) {
    await ip('rule', 'add', 'iif', link, 'lookup', TABLE, 'pref', '100');
    await ip('-6', 'rule', 'add', 'iif', link, 'lookup', TABLE, 'pref', '100');
  }
}
