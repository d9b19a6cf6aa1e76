/**
 * A mistake the member can fix (a bad code, an unknown player, a server not set up yet). The router answers it with
 * the message alone, ephemerally; anything else is logged and answered with a generic apology.
 */
export class UserError extends Error {
  override name = 'UserError';
}
