import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { admit } from './login.js';
import type { Handler } from './types.js';

/** One text for every refused ticket: forged, tampered, expired, revoked or password changed. */
export const TICKET_REFUSED = 'Your session ticket is not valid. Please log in with your password.';

/**
 * Signs a user in again with the ticket an earlier login handed out, without the password
 * (and so without scrypt): the reconnect after a server restart. Admission is login's own
 * (`admit`); a refused ticket counts as a failed login against the address.
 */
export const resume: Handler<'resume'> = async (ctx, session, req) => {
  const { ticket, udpPort } = req;
  // Before the ticket check, so an address over its budget learns nothing more.
  ctx.limits.checkLogin(session.address);
  // The credential as credentials.txt now says: a changed password refuses older tickets.
  const username = await ctx.tickets.check(ticket, (name) => ctx.auth.storedCredential(name));
  if (username === null) {
    ctx.limits.recordFailedLogin(session.address);
    throw new ServerError(ErrorCode.TicketRefused, TICKET_REFUSED);
  }
  // A blocked account stays blocked for a ticket holder too.
  ctx.auth.checkNotLocked(username);
  ctx.tickets.adopt(session, ticket);
  return { ...(await admit(ctx, session, username, udpPort)), ticket };
};
