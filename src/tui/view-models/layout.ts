/**
 * Where each pane goes for a terminal size. At 100 columns or more the online users get
 * their own column on the right, as WeeChat's nicklist; narrower, they sit under the
 * conversation list so the messages keep enough width at 80x24.
 */

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface Layout {
  title: Rect;
  convs: Rect;
  users: Rect;
  messages: Rect;
  /** Header row plus one row per transfer, full width; null when no transfer is shown. */
  transfers: Rect | null;
  status: Rect;
  input: Rect;
  /** Columns of the vertical separators. */
  separators: Array<{ left: number; top: number; height: number }>;
}

export const WIDE_COLUMNS = 100;

export function computeLayout(cols: number, rows: number, transferCount: number): Layout {
  const c = Math.max(cols, 40);
  const r = Math.max(rows, 10);
  const bodyTop = 1;
  const fullBody = r - 3;
  const wide = c >= WIDE_COLUMNS;
  const leftWidth = wide ? 20 : 18;
  const rightWidth = wide ? 22 : 0;
  const centerLeft = leftWidth + 1;
  const centerWidth = c - centerLeft - (wide ? rightWidth + 1 : 0);
  const transferRows = Math.min(transferCount, 3, Math.max(0, fullBody - 6));
  const transfersHeight = transferRows > 0 ? transferRows + 1 : 0;
  // The transfers panel spans the whole width under the panes: its rows need the room.
  const bodyHeight = fullBody - transfersHeight;
  const separators = [{ left: leftWidth, top: bodyTop, height: bodyHeight }];
  let convs: Rect;
  let users: Rect;
  if (wide) {
    convs = { top: bodyTop, left: 0, width: leftWidth, height: bodyHeight };
    users = { top: bodyTop, left: c - rightWidth, width: rightWidth, height: bodyHeight };
    separators.push({ left: c - rightWidth - 1, top: bodyTop, height: bodyHeight });
  } else {
    const convHeight = Math.ceil(bodyHeight / 2);
    convs = { top: bodyTop, left: 0, width: leftWidth, height: convHeight };
    users = {
      top: bodyTop + convHeight,
      left: 0,
      width: leftWidth,
      height: bodyHeight - convHeight,
    };
  }
  return {
    title: { top: 0, left: 0, width: c, height: 1 },
    convs,
    users,
    messages: {
      top: bodyTop,
      left: centerLeft,
      width: centerWidth,
      height: bodyHeight,
    },
    transfers:
      transfersHeight > 0
        ? { top: bodyTop + bodyHeight, left: 0, width: c, height: transfersHeight }
        : null,
    status: { top: r - 2, left: 0, width: c, height: 1 },
    input: { top: r - 1, left: 0, width: c, height: 1 },
    separators,
  };
}
