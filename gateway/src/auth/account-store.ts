import { GatewayError } from "../errors.js";
import { UnknownAccountError } from "./auth-errors.js";
import type { SqliteDatabase } from "../store/gateway-database.js";
import { hashPassword, verifyPassword } from "./password-hash.js";
import { ROLES, type Role } from "./roles.js";

export interface Account {
  username: string;
  role: Role;
  createdAtMs: number;
}

interface AccountRow {
  username: string;
  role: Role;
  password_hash: string;
  created_at_ms: number;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 256;

function toAccount(row: AccountRow): Account {
  return { username: row.username, role: row.role, createdAtMs: row.created_at_ms };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new GatewayError(`a password is ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

/** The gateway's user accounts. There is no default account: the first comes from pairing. */
export class AccountStore {
  private readonly db: SqliteDatabase;
  /** Checked against when the account does not exist, so a wrong name costs as long as a wrong password. */
  private decoyHash: Promise<string> | undefined;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM accounts").get() as { n: number }).n;
  }

  get(username: string): Account | undefined {
    const row = this.db.prepare("SELECT * FROM accounts WHERE username = ?").get(username) as AccountRow | undefined;
    return row && toAccount(row);
  }

  list(): Account[] {
    return (this.db.prepare("SELECT * FROM accounts ORDER BY username").all() as AccountRow[]).map(toAccount);
  }

  async create(username: string, password: string, role: Role): Promise<Account> {
    if (!USERNAME.test(username)) {
      throw new GatewayError("a username is 2 to 32 characters of a-z 0-9 . _ -, starting with a letter or digit", {
        username,
      });
    }
    if (!ROLES.includes(role)) throw new GatewayError("unknown role", { role });
    checkPassword(password);
    const hash = await hashPassword(password);
    const account: Account = { username, role, createdAtMs: Date.now() };
    const inserted = this.db
      .prepare("INSERT OR IGNORE INTO accounts (username, role, password_hash, created_at_ms) VALUES (?, ?, ?, ?)")
      .run(username, role, hash, account.createdAtMs);
    if (inserted.changes === 0) throw new GatewayError("an account with this name exists", { username });
    return account;
  }

  /** The account, if the password is right. */
  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const row = this.db.prepare("SELECT * FROM accounts WHERE username = ?").get(username) as AccountRow | undefined;
    if (!row) {
      this.decoyHash ??= hashPassword("decoy password");
      await verifyPassword(password, await this.decoyHash);
      return undefined;
    }
    return (await verifyPassword(password, row.password_hash)) ? toAccount(row) : undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    const result = this.db.prepare("UPDATE accounts SET password_hash = ? WHERE username = ?").run(hash, username);
    if (result.changes === 0) throw new UnknownAccountError("unknown account", { username });
  }

  setRole(username: string, role: Role): void {
    if (!ROLES.includes(role)) throw new GatewayError("unknown role", { role });
    this.db.transaction(() => {
      this.refuseToRemoveLastTechnician(username, role);
      const result = this.db.prepare("UPDATE accounts SET role = ? WHERE username = ?").run(role, username);
      if (result.changes === 0) throw new UnknownAccountError("unknown account", { username });
    })();
  }

  /** Deletes the account and, through the foreign key, its sessions and tokens. */
  delete(username: string): void {
    this.db.transaction(() => {
      this.refuseToRemoveLastTechnician(username, undefined);
      const result = this.db.prepare("DELETE FROM accounts WHERE username = ?").run(username);
      if (result.changes === 0) throw new UnknownAccountError("unknown account", { username });
    })();
  }

  /** Someone must always be able to manage accounts, or the gateway would need re-pairing. */
  private refuseToRemoveLastTechnician(username: string, newRole: Role | undefined): void {
    if (newRole === "technician" || this.get(username)?.role !== "technician") return;
    const technicians = (this.db.prepare("SELECT count(*) AS n FROM accounts WHERE role = 'technician'").get() as { n: number })
      .n;
    if (technicians <= 1) throw new GatewayError("the last technician account cannot be removed or demoted", { username });
  }
}
