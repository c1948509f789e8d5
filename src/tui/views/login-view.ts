/**
 * The login box: drawn from LoginState through loginRows, centred, redrawn on resize.
 */
import blessed from 'blessed';
import { type LoginState, loginRows } from '../view-models/login-model.js';
import { rowToTags } from '../view-models/theme.js';

const WIDTH = 62;

export class LoginView {
  private readonly box: blessed.Widgets.BoxElement;
  private cursor = { row: 0, col: 0 };
  private readonly onRender = () => {
    this.screen.program.cup(this.cursor.row, this.cursor.col);
    this.screen.program.showCursor();
  };

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly colour: boolean,
    private readonly server: string,
  ) {
    this.box = blessed.box({
      parent: screen,
      top: 'center',
      left: 'center',
      width: WIDTH,
      height: 11,
      tags: true,
      border: { type: 'line' },
      label: ' Tessenger ',
      padding: { left: 1, right: 1 },
      style: colour ? { border: { fg: 'blue' } } : {},
    });
    screen.on('render', this.onRender);
  }

  draw(state: LoginState, now: number): void {
    const width = Math.min(WIDTH, this.screen.width as number);
    const { rows, cursor } = loginRows(state, this.server, now, width - 4);
    this.box.width = width;
    this.box.height = rows.length + 2;
    this.box.setContent(rows.map((r) => rowToTags(r, this.colour)).join('\n'));
    this.screen.render();
    // Border and padding put the content one row down and two columns in.
    this.cursor = {
      row: (this.box.atop as number) + 1 + cursor.row,
      col: (this.box.aleft as number) + 2 + cursor.col,
    };
    this.onRender();
  }

  destroy(): void {
    this.screen.off('render', this.onRender);
    this.box.destroy();
  }
}
