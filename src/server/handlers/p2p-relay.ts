import { ErrorCode } from '../../protocol/errors.js';
import { ServerError } from '../server-error.js';
import { currentUser, type Handler } from './types.js';

const noTransferText = (transferId: string): string =>
  `No accepted transfer ${transferId} of yours.`;

/**
 * Either party of an accepted transfer found no direct path: the server relays it (the other
 * party is told to allocate too), or, with the relay off, the transfer is cancelled on both
 * sides with a reason each can act on.
 */
export const p2pRelay: Handler<'p2p-relay'> = async (ctx, session, req) => {
  const me = currentUser(session).username;
  const { transferId } = req;
  const open = ctx.transfers.openFor(session, transferId);
  if (!open) throw new ServerError(ErrorCode.NoSuchTransfer, noTransferText(transferId));
  const isPresenter = open.presenter === session;
  const other = isPresenter ? open.audience : open.presenter;
  const otherName = isPresenter ? open.to : open.from;
  if (!ctx.udp?.relayEnabled) {
    const reason = `no direct path between ${open.from} and ${open.to} and the server's relay is off`;
    ctx.transfers.forget(transferId, reason);
    other.push({ type: 'transfer-cancelled', transferId, reason });
    throw new ServerError(
      ErrorCode.RelayDisabled,
      `The server's relay is off: no direct path to ${otherName}.`,
      { transferId },
    );
  }
  if (ctx.udp.startRelay(open)) {
    other.push({ type: 'transfer-relay', transferId });
    ctx.logger.info('relay opened', { transferId, from: open.from, to: open.to, by: me });
  }
  return { transferId };
};

/** Gives up an accepted (or still pending) transfer; the other party is told why. */
export const p2pCancel: Handler<'p2p-cancel'> = async (ctx, session, req) => {
  const me = currentUser(session);
  if (ctx.cluster && !ctx.transfers.holds(req.transferId)) {
    if (ctx.cluster.forward(me.username, req)) return {};
  }
  ctx.transfers.cancel(session, req.transferId, req.reason);
  return {};
};
