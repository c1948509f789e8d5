import { announcePresence } from '../notify.js';
import { currentUser, type Handler } from './types.js';

/** `/away TEXT` marks you away; `/away` alone toggles (away without text, or back). */
export const away: Handler<'away'> = async (ctx, session, req) => {
  const me = currentUser(session);
  const text = req.text.trim();
  if (text === '' && me.away !== undefined) {
    ctx.presence.setAway(me, undefined);
    ctx.cluster?.awayChanged(me);
    announcePresence(ctx, me.username, 'back');
    ctx.console(`${me.username} is back`);
    return { away: false, text: '' };
  }
  ctx.presence.setAway(me, text);
  ctx.cluster?.awayChanged(me);
  announcePresence(ctx, me.username, 'away', text);
  ctx.console(`${me.username} is away${text ? `: ${text}` : ''}`);
  return { away: true, text };
};
