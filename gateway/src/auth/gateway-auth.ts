import type { Logger } from "pino";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { AccountStore, type Account } from "./account-store.js";
import type { AuditLog } from "./audit-log.js";
import { AuthenticationError, PermissionError, ThrottledError } from "./auth-errors.js";
import { LoginThrottle } from "./login-throttle.js";
import { Pairing } from "./pairing.js";
import { roleAtLeast, type Role } from "./roles.js";
import { TokenStore, type Principal, type TokenInfo } from "./token-store.js";

export interface Session {
  token: string;
  principal: Principal;
  expiresAtMs: number;
}

const THROTTLE_WINDOW_MS = 15 * 60_000;

/**
 * Where a login comes from, for throttling: the address, or for IPv6 its /64, which one
 * host commonly holds whole.
 */
export function throttleAddress(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4?.[1]) return v4[1];
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * Accounts, sessions, API tokens and pairing, with the rules around them: who may
 * change what, how fast one may guess, and an audit entry for every change.
 */
export class GatewayAuth {
  readonly accounts: AccountStore;
  readonly tokens: TokenStore;
  private readonly audit: AuditLog;
  private readonly pairing: Pairing;
  private readonly logger: Logger;
  private readonly sessionTtlMs: number;
  /** An address guessing at any accounts. */
  private readonly byAddress: LoginThrottle;
  /** An address guessing at one account. */
  private readonly byAccountAndAddress: LoginThrottle;
  /** One account, guessed at from anywhere: slows every address that has failed, never a clean one. */
  private readonly byAccount: LoginThrottle;
  private pairingInProgress = false;

  constructor(deps: {
    db: SqliteDatabase;
    pairingFile: string;
    sessionTtlMs: number;
    audit: AuditLog;
    logger: Logger;
    now?: () => number;
  }) {
    const throttle = (freeFailures: number, maxDelayMs: number) =>
      new LoginThrottle({
        freeFailures,
        baseDelayMs: 1_000,
        maxDelayMs,
        windowMs: THROTTLE_WINDOW_MS,
        ...(deps.now && { now: deps.now }),
      });
    this.byAddress = throttle(10, 5 * 60_000);
    this.byAccountAndAddress = throttle(3, THROTTLE_WINDOW_MS);
    this.byAccount = throttle(5, 60_000);
    this.accounts = new AccountStore(deps.db);
    this.tokens = new TokenStore(deps.db);
    this.audit = deps.audit;
    this.pairing = new Pairing(deps.pairingFile);
    this.logger = deps.logger;
    this.sessionTtlMs = deps.sessionTtlMs;
  }

  /** On start: a gateway without accounts makes a pairing code and says so loudly. */
  start(pairingUrl: string): void {
    this.tokens.purgeExpired();
    if (this.accounts.count() > 0) {
      this.pairing.end();
      return;
    }
    const code = this.pairing.begin();
    this.logger.warn(
      { pairingUrl },
      `NO ACCOUNT YET. Create the first (technician) account at ${pairingUrl} with the one-time pairing code ${code}`,
    );
  }

  /** The pairing code while the gateway has no account. */
  get pairingCode(): string | undefined {
    return this.pairing.code;
  }

  /** Creates the first account, a technician, with the pairing code; logs it in. */
  async pair(input: { code: string; username: string; password: string }, address: string): Promise<Session> {
    const from = throttleAddress(address);
    this.checkThrottle(this.byAddress, from);
    if (this.pairing.code === undefined || this.pairingInProgress) {
      throw new PermissionError("the gateway is already paired; log in instead");
    }
    if (!this.pairing.matches(input.code)) {
      this.byAddress.fail(from);
      this.logger.warn({ address }, "wrong pairing code");
      throw new AuthenticationError("wrong pairing code");
    }
    this.pairingInProgress = true;
    try {
      const account = await this.accounts.create(input.username, input.password, "technician");
      this.pairing.end();
      this.audit.record(account.username, "account.create", account.username, { role: account.role, via: "pairing" });
      return this.openSession(account);
    } finally {
      this.pairingInProgress = false;
    }
  }

  /**
   * Checks a password, within the throttles: an address that keeps failing waits longer and
   * longer, on one account and on all of them; an account being guessed at slows down the
   * addresses that failed on it, but the right password from an address that has not failed
   * always gets in, so nobody can lock an account's owner out. A success forgets that
   * address's failures on that account only.
   */
  async login(username: string, password: string, address: string): Promise<Session> {
    const from = throttleAddress(address);
    const pair = `${username}\u0000${from}`;
    this.checkThrottle(this.byAddress, from);
    this.checkThrottle(this.byAccountAndAddress, pair);
    if (this.byAddress.failureCount(from) > 0) this.checkThrottle(this.byAccount, username);
    const account = await this.accounts.authenticate(username, password);
    if (!account) {
      this.byAddress.fail(from);
      this.byAccountAndAddress.fail(pair);
      this.byAccount.fail(username);
      this.logger.warn({ address, username }, "login failed");
      throw new AuthenticationError("wrong username or password");
    }
    this.byAccountAndAddress.succeed(pair);
    this.byAccount.succeed(username);
    this.logger.info({ address, username }, "logged in");
    return this.openSession(account);
  }

  resolve(token: string): Principal | undefined {
    return this.tokens.resolve(token);
  }

  logout(principal: Principal): void {
    if (principal.kind === "session") this.tokens.revoke(principal.tokenId);
  }

  async createAccount(actor: Principal, input: { username: string; password: string; role: Role }): Promise<Account> {
    requireRole(actor, "technician");
    const account = await this.accounts.create(input.username, input.password, input.role);
    this.audit.record(actor.username, "account.create", account.username, { role: account.role });
    return account;
  }

  setRole(actor: Principal, username: string, role: Role): void {
    requireRole(actor, "technician");
    this.accounts.setRole(username, role);
    this.audit.record(actor.username, "account.role", username, { role });
  }

  deleteAccount(actor: Principal, username: string): void {
    requireRole(actor, "technician");
    this.accounts.delete(username);
    this.audit.record(actor.username, "account.delete", username);
  }

  /** Own password with the current one; a technician may reset anyone's. Other sessions of the account end. */
  async changePassword(
    actor: Principal,
    input: { username: string; newPassword: string; currentPassword?: string | undefined },
  ): Promise<void> {
    if (input.username === actor.username) {
      this.checkThrottle(this.byAccount, actor.username);
      if (input.currentPassword === undefined || !(await this.accounts.authenticate(actor.username, input.currentPassword))) {
        this.byAccount.fail(actor.username);
        throw new AuthenticationError("the current password is wrong");
      }
    } else {
      requireRole(actor, "technician");
    }
    await this.accounts.setPassword(input.username, input.newPassword);
    for (const token of this.tokens.list(input.username)) {
      if (token.kind === "session" && token.id !== actor.tokenId) this.tokens.revoke(token.id);
    }
    this.audit.record(actor.username, "account.password", input.username);
  }

  /** An API token acting for the actor's account, with its role; the secret is shown once. */
  issueApiToken(actor: Principal, label: string, ttlMs?: number): { token: string; info: TokenInfo } {
    const issued = this.tokens.issue(actor.username, "api", label, ttlMs);
    this.audit.record(actor.username, "token.create", String(issued.info.id), { label });
    return issued;
  }

  /** Own tokens; a technician sees everyone's. */
  listTokens(actor: Principal): TokenInfo[] {
    return this.tokens.list(roleAtLeast(actor.role, "technician") ? undefined : actor.username);
  }

  revokeToken(actor: Principal, id: number): boolean {
    const token = this.tokens.get(id);
    if (!token) return false;
    if (token.username !== actor.username) requireRole(actor, "technician");
    this.tokens.revoke(id);
    this.audit.record(actor.username, "token.revoke", String(id), { owner: token.username, kind: token.kind });
    return true;
  }

  private openSession(account: Account): Session {
    const { token, info } = this.tokens.issue(account.username, "session", "browser session", this.sessionTtlMs);
    return {
      token,
      principal: { username: account.username, role: account.role, tokenId: info.id, kind: "session" },
      expiresAtMs: info.expiresAtMs ?? Date.now() + this.sessionTtlMs,
    };
  }

  private checkThrottle(throttle: LoginThrottle, key: string): void {
    const retryAfterMs = throttle.retryAfterMs(key);
    if (retryAfterMs > 0) {
      throw new ThrottledError(`too many failed attempts; try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
    }
  }
}

export function requireRole(principal: Principal, role: Role): void {
  if (!roleAtLeast(principal.role, role)) {
    throw new PermissionError(`needs the ${role} role`, { username: principal.username, role: principal.role });
  }
}
