// The demo's progress table. On a terminal it is redrawn in place; piped (CI, tests) each
// change is printed once as a line, so the log reads as a story.
import type { ProviderName, TransactionState } from '../common/types';
import { labelOf } from '../providers/module';
import { builtInProviders, type ProviderRegistry } from '../providers/registry';
import { decisiveEvent, type Expectation } from './scenarios';

export type RowOutcome = 'running' | 'reached' | 'failed';

export interface Row {
  provider: ProviderName;
  title: string;
  expect: Expectation;
  workflowId?: string;
  state?: TransactionState;
  /** What the demo did last, until the transaction settles. */
  note: string;
  outcome: RowOutcome;
}

export interface Output {
  write(text: string): void;
  /** A terminal: redraw in place, with colour. */
  isTTY: boolean;
  columns?: number;
  rows?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** How the transaction got its status: `callback`, `poll`, `notify → callback`. */
export function via(row: Row): string {
  const event = row.state && decisiveEvent(row.state);
  if (!event) return '';
  const notified = event.source === 'callback' && row.state?.lastFollowUp?.outcome.startsWith('notify requested');
  return notified ? 'Notify → callback' : event.source;
}

/** The statuses the transaction went through, e.g. `pending → in_progress → signed`. */
export function path(state: TransactionState): string {
  const seen: string[] = [state.kind === 'registered-mail' ? 'sent' : 'pending'];
  for (const e of state.events) if (e.applied && e.status && seen.at(-1) !== e.status) seen.push(e.status);
  return seen.join(' → ');
}

/** What the engine's follow-up did, once it brought the news. */
function followUpNote(state: TransactionState): string {
  const outcome = state.lastFollowUp?.outcome;
  if (!outcome) return '';
  // A Notify already shows in the "via" column.
  return outcome.startsWith('notify requested') ? '' : `  (${outcome})`;
}

/** Seconds to the engine's next follow-up, when it is near enough to watch for. */
function countdown(state: TransactionState | undefined): string {
  if (!state?.nextFollowUpAt) return '';
  const seconds = Math.ceil((Date.parse(state.nextFollowUpAt) - Date.now()) / 1000);
  if (seconds > 60) return '';
  return seconds > 0 ? ` · follow-up in ${seconds}s` : ' · following up';
}

function expected(e: Expectation): string {
  return `${e.status} via ${e.afterNotify ? 'Notify → callback' : e.source}`;
}

/** Below this many columns each row's "what happened" goes on a line of its own. */
const WIDE = 148;
const COLUMNS = { provider: 22, title: 35, status: 12, via: 18 };
const pad = (text: string, width: number) => text.padEnd(width);

export class ProgressTable {
  private drawn = 0;
  private frame = 0;
  private readonly printed = new Map<Row, string>();
  private readonly started = Date.now();

  constructor(
    private readonly rows: Row[],
    private readonly out: Output,
    /** Where the providers' labels come from. */
    private readonly registry: ProviderRegistry = builtInProviders,
  ) {}

  /** Redraws the table (terminal) or prints the rows that changed (pipe, or a short terminal). */
  render(): void {
    if (this.out.isTTY && this.fits()) return this.redraw();
    for (const row of this.rows) {
      const line = this.line(row, false, true);
      if (this.printed.get(row) === line) continue;
      this.printed.set(row, line);
      this.out.write(`${this.elapsed().padStart(6)}  ${line}\n`);
    }
  }

  /** A last, complete table: what every transaction ended as. */
  summary(): string {
    const lines = this.rows.map(
      (row) =>
        `  ${this.line(row, false, true)}${row.outcome === 'reached' ? '' : `   (expected ${expected(row.expect)})`}`,
    );
    const ids = this.rows.map((row) => `  ${row.workflowId ?? '(not registered)'}`);
    return `${this.header(false, true)}\n${lines.join('\n')}\n\nWorkflow ids (npx countersign show <id>):\n${ids.join('\n')}\n`;
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  private wide(): boolean {
    return (this.out.columns ?? WIDE) >= WIDE;
  }

  /** Redrawing in place needs the whole table on screen. */
  private fits(): boolean {
    const height = 3 + this.rows.length * (this.wide() ? 1 : 2);
    return this.out.rows === undefined || height < this.out.rows;
  }

  private redraw(): void {
    this.frame++;
    const width = Math.max(40, (this.out.columns ?? WIDE) - 1);
    const wide = this.wide();
    const ended = this.rows.filter((r) => r.outcome !== 'running').length;
    const footer = dim(`  ${this.elapsed()} · ${ended} of ${this.rows.length} ended`);
    const body = this.rows.flatMap((r) =>
      wide
        ? [`  ${this.line(r, true, true)}`]
        : [
            `  ${this.line(r, true, false)}`,
            `      ${dim(r.outcome === 'reached' ? `via ${via(r)} · ${this.note(r)}` : this.note(r))}`,
          ],
    );
    const lines = [this.header(true, wide), ...body, '', footer].map((l) => clip(l, width));
    // Up to the table's first line, then rewrite each line in place.
    const up = this.drawn ? `\x1b[${this.drawn}F` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }

  private header(color: boolean, withNote: boolean): string {
    const text = `    ${pad('provider', COLUMNS.provider)}${pad('scenario', COLUMNS.title)}${withNote ? pad('status', COLUMNS.status) + pad('via', COLUMNS.via) + 'what happened' : 'status'}`;
    return color ? dim(text) : text;
  }

  private label(provider: ProviderName): string {
    const module = this.registry.get(provider);
    return module ? labelOf(module) : provider;
  }

  private note(row: Row): string {
    return row.outcome === 'reached' && row.state
      ? `${path(row.state)}${followUpNote(row.state)}`
      : `${row.note}${countdown(row.state)}`;
  }

  private line(row: Row, color: boolean, withNote: boolean): string {
    const icon =
      row.outcome === 'reached'
        ? '✓'
        : row.outcome === 'failed'
          ? '✗'
          : color
            ? SPINNER[this.frame % SPINNER.length]
            : '·';
    const paint = color
      ? row.outcome === 'reached'
        ? green
        : row.outcome === 'failed'
          ? red
          : yellow
      : (s: string) => s;
    const status = row.state?.status ?? '';
    const cells = `${pad(this.label(row.provider), COLUMNS.provider)}${pad(row.title, COLUMNS.title)}${paint(pad(status, COLUMNS.status))}`;
    if (!withNote) return `${paint(icon)} ${cells}`;
    return `${paint(icon)} ${cells}${pad(via(row), COLUMNS.via)}${color ? dim(this.note(row)) : this.note(row)}`;
  }
}

const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const green = ansi('32');
const red = ansi('31');
const yellow = ansi('33');
const dim = ansi('2');

/** Cuts a line to the terminal's width, counting only visible characters. */
function clip(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out + '\x1b[0m';
}
