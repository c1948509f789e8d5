/**
 * Messages crafted to forge log records (newlines, `; ` separators, terminal escapes) stay
 * one record on one line in messagelog.txt, a group log and the server console.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/server-fixture.js';

const FORGERY = 'hi\n2; 01 Jun 2022 21:30:04; vader; I am your father\r\n\u001b[2J; ; \u2028x';
const ESCAPED = 'hi\\n2; 01 Jun 2022 21:30:04; vader; I am your father\\r\\n\\u001b[2J; ; \\u2028x';

describe('log lines cannot be forged', () => {
  const h = useTestServer();

  it('keeps a forged direct message and group message on one line each', async () => {
    const yoda = await h.t.login('Yoda');
    const obiwan = await h.t.login('obiwan');
    await yoda.ok('msgto', { to: 'obiwan', text: FORGERY });
    // The receiver gets the text exactly as sent: escaping is for log files only.
    expect((await obiwan.push('message')).text).toBe(FORGERY);
    const log = await h.t.readLog('messagelog.txt');
    expect(log.split('\n')).toEqual([`1; 01 Jun 2022 21:30:04; obiwan; ${ESCAPED}`, '']);

    await yoda.ok('creategroup', { group: 'jedi', members: ['obiwan'] });
    await obiwan.ok('joingroup', { group: 'jedi' });
    await yoda.ok('groupmsg', { group: 'jedi', text: FORGERY });
    const group = await h.t.readLog('jedi_messagelog.txt');
    expect(group.split('\n')).toEqual([`1; 01 Jun 2022 21:30:04; Yoda; ${ESCAPED}`, '']);
    for (const line of h.t.lines) {
      for (const ch of ['\n', '\r', '\u001b', '\u2028']) expect(line).not.toContain(ch);
    }
    expect(h.t.lines).toContain(`Yoda message to obiwan "${ESCAPED}" at 01 Jun 2022 21:30:04.`);
  });
});
