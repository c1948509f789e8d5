/**
 * Stable error codes of the control protocol. Tests assert the code; users read the message.
 * The server sends both; the message carries SPEC.md's text verbatim where it has one.
 */
export const ErrorCode = {
  BadFrame: 'BAD_FRAME',
  FrameTooLarge: 'FRAME_TOO_LARGE',
  BadRequest: 'BAD_REQUEST',
  UnknownType: 'UNKNOWN_TYPE',
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  NotLoggedIn: 'NOT_LOGGED_IN',
  AlreadyAuthenticated: 'ALREADY_AUTHENTICATED',
  InvalidUsername: 'INVALID_USERNAME',
  InvalidPassword: 'INVALID_PASSWORD',
  AccountBlocked: 'ACCOUNT_BLOCKED',
  AccountLocked: 'ACCOUNT_LOCKED',
  AlreadyLoggedIn: 'ALREADY_LOGGED_IN',
  UnknownUser: 'UNKNOWN_USER',
  UserOffline: 'USER_OFFLINE',
  Self: 'SELF',
  EmptyMessage: 'EMPTY_MESSAGE',
  NeedMembers: 'NEED_MEMBERS',
  BadGroupName: 'BAD_GROUP_NAME',
  GroupExists: 'GROUP_EXISTS',
  NoSuchGroup: 'NO_SUCH_GROUP',
  NotInvited: 'NOT_INVITED',
  AlreadyJoined: 'ALREADY_JOINED',
  NotMember: 'NOT_MEMBER',
  NotJoined: 'NOT_JOINED',
  NoSuchTransfer: 'NO_SUCH_TRANSFER',
  TransferDeclined: 'TRANSFER_DECLINED',
  TransferTimeout: 'TRANSFER_TIMEOUT',
  /** A relay was asked of a server whose relay is off (`--no-relay`). */
  RelayDisabled: 'RELAY_DISABLED',
  Blocked: 'BLOCKED',
  AlreadyBlocked: 'ALREADY_BLOCKED',
  NotBlocked: 'NOT_BLOCKED',
  AlreadyMember: 'ALREADY_MEMBER',
  NoSuchMessage: 'NO_SUCH_MESSAGE',
  /** Unknown username on a server that allows registration: the client may offer it. */
  CanRegister: 'CAN_REGISTER',
  RegistrationClosed: 'REGISTRATION_CLOSED',
  BadUsername: 'BAD_USERNAME',
  BadPassword: 'BAD_PASSWORD',
  UsernameTaken: 'USERNAME_TAKEN',
  IdleTimeout: 'IDLE_TIMEOUT',
  QueueFull: 'QUEUE_FULL',
  /** Too many failed logins from one address (on top of the per-user lock-out). */
  RateLimited: 'RATE_LIMITED',
  /** The login was not finished within the server's time limit. */
  LoginTimeout: 'LOGIN_TIMEOUT',
  /** A resume ticket was refused (forged, expired, revoked, password changed): log in again. */
  TicketRefused: 'TICKET_REFUSED',
  /** The server's disk is full: the request's change (a message, a group...) was not stored. */
  StoreFull: 'STORE_FULL',
  /** The server cannot reach its database (a shared service): nothing was stored; retry soon. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable code, raised by handlers and turned into an error reply. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
