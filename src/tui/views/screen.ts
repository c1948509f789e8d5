/**
 * The blessed screen and what the terminal can do. Colour is used when the terminal has at
 * least 8 colours and NO_COLOR (no-color.org) is not set.
 */
import blessed from 'blessed';

export interface TuiScreen {
  screen: blessed.Widgets.Screen;
  colour: boolean;
}

export function createScreen(options: {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}): TuiScreen {
  const screen = blessed.screen({
    input: options.input as never,
    output: options.output as never,
    smartCSR: true,
    fullUnicode: true,
    autoPadding: false,
    warnings: false,
    title: 'Tessenger',
    // blessed would otherwise exit the process on Ctrl+C; the app logs out first.
    ignoreLocked: ['C-c'],
  });
  const colours = (screen as unknown as { tput: { colors: number } }).tput.colors ?? 0;
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return { screen, colour: colours >= 8 && !noColor };
}
