/**
 * The headless client core both faces (plain line mode and the TUI) stand on: login, commands,
 * incoming pushes and transfers, all as typed events. It prints nothing.
 */
import { EventEmitter } from 'node:events';
import type { PushEvent, UdpGrant } from '../protocol/control.js';
import { ErrorCode, ProtocolError } from '../protocol/errors.js';
import type { TransferEngine } from '../transfer/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { CommandContext, LoggedOut } from './commands/command.js';
import { type Command, type CommandResult, runCommand } from './commands/index.js';
import { Connection } from './connection.js';
import type { FileHasher } from './file-digest.js';
import type { ControlSecurity } from './secure-socket.js';
import { type TransferEvents, TransferManager } from './transfers.js';

export interface ChatClientEvents extends TransferEvents {
  /** `offline`: it waited in the server's queue while you were offline. */
  message: [{ from: string; text: string; ts: number; id?: number; offline?: boolean }];
  'group-message': [{ group: string; from: string; text: string; ts: number; offline?: boolean }];
  /** Another user logged in or out, went away or came back. */
  presence: [
    { user: string; status: 'online' | 'offline' | 'away' | 'back'; text?: string; ts: number },
  ];
  /** A direct message you sent (number `id`, sent at `ts`) reached `to`'s client. */
  receipt: [{ id: number; to: string; ts: number; deliveredAt: number }];
  broadcast: [{ from: string; text: string; ts: number }];
  'group-invite': [{ group: string; from: string; members: string[] }];
  /** Another member joined, was invited to or left a group of yours. */
  'group-member': [
    { group: string; user: string; state: 'joined' | 'invited' | 'left'; online: boolean },
  ];
  /** The server ended the session (idle time-out, shutdown) with a reason; code IDLE_TIMEOUT when idle. */
  bye: [{ reason: string; code?: string }];
  /** The control connection closed; `expected` is true after a logout. */
  disconnected: [{ expected: boolean }];
}

export interface ChatClientOptions {
  host: string;
  port: number;
  engine: TransferEngine;
  /** Folder incoming files are saved in. */
  downloadDir: string;
  logger: Logger;
  /** TLS with a pinned certificate, or plain TCP (the default, as the server's). */
  security?: ControlSecurity;
  /** SHA-256 of a file to send; tests count calls. Default: stream the file (hashFile). */
  hasher?: FileHasher;
  /** Times the control connection's plain probe; the system clock by default. */
  clock?: Clock;
}

export class ChatClient extends EventEmitter<ChatClientEvents> {
  private username: string | null = null;
  /** Kept in memory only, so a reconnect can sign in again without asking. */
  private credentials: { username: string; password: string } | null = null;
  /**
   * The server's resume ticket from the last sign-in: reconnect() tries it before the
   * password (no scrypt on the server). Kept in memory only, never written to disk.
   */
  private ticket: string | null = null;
  private loggingOut = false;
  readonly transfers: TransferManager;

  private constructor(
    private connection: Connection,
    private readonly options: ChatClientOptions,
  ) {
    super();
    this.transfers = new TransferManager(
      () => this.connection,
      options.engine,
      options.downloadDir,
      (name, info) => this.emit(name, info),
      options.hasher,
    );
    this.attach(connection);
  }

  private attach(connection: Connection): void {
    connection.on('push', (event) => this.onPush(event));
    connection.on('close', () => {
      // A replaced connection's late close must not look like a new loss.
      if (connection === this.connection) {
        this.emit('disconnected', { expected: this.loggingOut });
      }
    });
  }

  /** Connects to the server; rejects with a clear ConnectionError when it cannot. */
  static async connect(options: ChatClientOptions): Promise<ChatClient> {
    const connection = await Connection.open(
      options.host,
      options.port,
      options.logger,
      options.security,
      options.clock,
    );
    return new ChatClient(connection, options);
  }

  get user(): string | null {
    return this.username;
  }

  get connected(): boolean {
    return this.connection.isOpen;
  }

  /** True once logout() or close() has begun: no reconnect should follow. */
  get closing(): boolean {
    return this.loggingOut;
  }

  /** Signs in; rejects with a ProtocolError whose code says why (see ErrorCode). */
  async login(username: string, password: string): Promise<void> {
    // A server may close the link after refusing a login (lock-out); try again on a new one.
    if (!this.connection.isOpen && !this.loggingOut) {
      const { host, port, logger } = this.options;
      this.connection = await Connection.open(
        host,
        port,
        logger,
        this.options.security,
        this.options.clock,
      );
      this.attach(this.connection);
    }
    const reply = await this.connection.request({
      type: 'login',
      username,
      password,
      udpPort: this.options.engine.port,
    });
    this.transfers.setServer(reply.udp, this.connection.remoteAddress);
    this.signedIn(reply.username, password, reply.ticket);
  }

  /**
   * Creates an account (servers started with --allow-register) and signs in with it; rejects
   * with a ProtocolError (BAD_USERNAME, BAD_PASSWORD, USERNAME_TAKEN...) otherwise.
   */
  async register(username: string, password: string): Promise<void> {
    const reply = await this.connection.request({
      type: 'register',
      username,
      password,
      udpPort: this.options.engine.port,
    });
    this.transfers.setServer(reply.udp, this.connection.remoteAddress);
    this.signedIn(reply.username, password, reply.ticket);
  }

  private signedIn(username: string, password: string, ticket: string | undefined): void {
    this.username = username;
    this.credentials = { username, password };
    this.ticket = ticket ?? null;
    this.transfers.setUser(username);
    this.fetchInbox();
  }

  /**
   * Asks for what arrived while this user was offline. Deferred to the next turn, so the
   * face that awaited login() has subscribed to the events the queued pushes become.
   */
  private fetchInbox(): void {
    setImmediate(async () => {
      try {
        // A long queue comes in batches; each one's events are in before its reply. Each
        // request acknowledges the batch before it, so the server deletes only what arrived;
        // the last, empty batch acknowledges the final one.
        let ack = 0;
        while (this.connection.isOpen) {
          const { count, lastId } = await this.connection.request({ type: 'inbox', ack });
          if (count === 0) break;
          ack = lastId;
        }
      } catch (err) {
        this.options.logger.debug('inbox request failed', { error: String(err) });
      }
    });
  }

  /**
   * Opens a new connection and signs in again: with the resume ticket held in memory when
   * there is one, falling back to the password when the server refuses the ticket. On
   * failure the new connection is dropped and the error (ConnectionError or ProtocolError)
   * is thrown; the caller decides whether to try again.
   */
  async reconnect(): Promise<void> {
    if (this.credentials === null) throw new Error('reconnect() needs a logged-in client');
    if (this.loggingOut) throw new Error('the client is closing');
    const { host, port, logger, security } = this.options;
    let connection = await Connection.open(host, port, logger, security, this.options.clock);
    try {
      const reply = await this.signInAgain(connection);
      // A refused ticket may have closed the link (address limits): the login used another.
      connection = reply.connection;
      this.transfers.setServer(reply.udp, connection.remoteAddress);
    } catch (err) {
      connection.close();
      throw err;
    }
    if (this.loggingOut) {
      connection.close();
      throw new Error('the client is closing');
    }
    this.connection = connection;
    this.attach(connection);
    this.fetchInbox();
  }

  /** resume with the ticket, else (none, or refused) login with the password. */
  private async signInAgain(
    connection: Connection,
  ): Promise<{ connection: Connection; udp: UdpGrant | undefined }> {
    const credentials = this.credentials as { username: string; password: string };
    const udpPort = this.options.engine.port;
    if (this.ticket !== null) {
      try {
        const reply = await connection.request({ type: 'resume', ticket: this.ticket, udpPort });
        if (reply.ticket !== undefined) this.ticket = reply.ticket;
        return { connection, udp: reply.udp };
      } catch (err) {
        if (!(err instanceof ProtocolError) || err.code !== ErrorCode.TicketRefused) throw err;
        this.ticket = null;
        this.options.logger.debug('resume ticket refused; signing in with the password');
      }
    }
    let link = connection;
    if (!link.isOpen) {
      const { host, port, logger, security } = this.options;
      link = await Connection.open(host, port, logger, security, this.options.clock);
    }
    try {
      const reply = await link.request({
        type: 'login',
        username: credentials.username,
        password: credentials.password,
        udpPort,
      });
      this.ticket = reply.ticket ?? null;
      return { connection: link, udp: reply.udp };
    } catch (err) {
      if (link !== connection) link.close();
      throw err;
    }
  }

  /** Runs one parsed command. Errors (ProtocolError, TransferStartError) carry user-facing text. */
  run(command: Command): Promise<CommandResult> {
    return runCommand(this.commandContext(), command);
  }

  private commandContext(): CommandContext {
    return {
      connection: this.connection,
      transfers: this.transfers,
      me: this.username,
      logout: () => this.logout(),
    };
  }

  /** Logs out and closes the connection. */
  async logout(): Promise<LoggedOut> {
    const username = this.username ?? '';
    this.loggingOut = true;
    this.ticket = null;
    this.transfers.cancelAll('logged out');
    try {
      await this.connection.request({ type: 'logout' });
    } catch {
      // The server may already be gone; logging out locally is still right.
    }
    this.connection.close();
    return { kind: 'logged-out', username };
  }

  /** Closes everything without a logout request (the server treats the drop as a logout). */
  async close(): Promise<void> {
    this.loggingOut = true;
    this.ticket = null;
    this.transfers.cancelAll('client closed');
    this.connection.close();
    await this.options.engine.close();
  }

  private onPush(event: PushEvent): void {
    switch (event.type) {
      case 'message': {
        const { type: _t, ...message } = event;
        this.emit('message', message);
        // The receipt the sender waits for: sent once the message has reached this client.
        if (event.id !== undefined) {
          this.connection
            .request({ type: 'delivered', messageId: event.id })
            .catch(() => undefined);
        }
        break;
      }
      case 'group-message':
      case 'group-member':
      case 'presence':
      case 'receipt':
      case 'broadcast': {
        // These events carry the push's fields as they are, without its type tag.
        const { type, ...fields } = event;
        (this.emit as (name: string, payload: object) => boolean)(type, fields);
        break;
      }
      case 'group-invite':
        this.emit('group-invite', { group: event.group, from: event.from, members: event.members });
        break;
      case 'transfer-offer':
        this.transfers.onOffer(event);
        break;
      case 'transfer-relay':
        this.transfers.onRelay(event.transferId);
        break;
      case 'transfer-cancelled':
        this.transfers.onCancelled(event.transferId, event.reason);
        break;
      case 'transfer-peer-offline':
        this.transfers.onPeerOffline(event.transferId, event.user);
        break;
      case 'bye':
        // Logged out for idling: final, so the faces quit instead of signing in again.
        if (event.code === ErrorCode.IdleTimeout) this.loggingOut = true;
        this.emit('bye', { reason: event.reason, ...(event.code ? { code: event.code } : {}) });
        break;
    }
  }
}
