#!/usr/bin/env node
// A stand-in for ffplay/mpv in e2e tests: `fake-player.mjs OUT` copies stdin to OUT (through
// OUT.tmp, renamed at end of input so a test polling for OUT sees only complete output);
// `fake-player.mjs --exit` quits at once, like a user closing the player window.
import fs from 'node:fs';

const out = process.argv[2];
if (out === '--exit') process.exit(0);
const tmp = `${out}.tmp`;
const file = fs.createWriteStream(tmp);
process.stdin.pipe(file);
file.on('finish', () => fs.renameSync(tmp, out));
