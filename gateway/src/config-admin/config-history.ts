import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { gatewayConfigSchema, withoutRetiredFields, type GatewayConfig } from "../config.js";
import { GatewayError } from "../errors.js";

/** How a configuration came to be applied. */
export type RevisionOrigin = "file" | "apply" | "revert" | "rollback";
/** `watching`: its health watch runs; `kept`: it passed (or needed none); `rolled-back`: it failed and was undone. */
export type RevisionStatus = "watching" | "kept" | "rolled-back";

export interface ConfigRevision {
  revision: number;
  atMs: number;
  actor: string;
  origin: RevisionOrigin;
  status: RevisionStatus;
  comment?: string;
  /** Why the gateway rolled it back. */
  rollbackReason?: string;
  /** For a revert: the revision whose document this is. */
  restores?: number;
  /** The revision in force before this one; a failed health watch goes back to it. */
  replaces?: number;
  config: GatewayConfig;
}

interface HistoryState {
  /** The revision in force. */
  current: number;
  /** The digest of the configuration the gateway was last started with (its --config file). */
  startDocumentSha256: string;
}

/** A stable digest of a document: keys sorted, so formatting and key order do not count. */
function digest(document: unknown): string {
  const canonical = JSON.stringify(document, (_key, value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash("sha256").update(canonical).digest("hex");
}

function writeAtomically(path: string, document: unknown): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Every configuration the gateway applied, as JSON files under `<dataDir>/config/`:
 * `revisions/<n>.json` and `state.json` (which revision is in force). The applied
 * configuration survives restarts: at start the gateway uses the revision in force,
 * unless its --config file changed since it was last started, in which case the file wins
 * and becomes a new revision.
 */
export class ConfigHistory {
  private readonly dir: string;
  private readonly logger: Logger;

  constructor(dataDir: string, logger: Logger) {
    this.dir = join(dataDir, "config");
    this.logger = logger;
    mkdirSync(join(this.dir, "revisions"), { recursive: true, mode: 0o700 });
  }

  /** The configuration to start with, given the one the gateway was started with. */
  startConfig(started: GatewayConfig): GatewayConfig {
    const startDocumentSha256 = digest(started);
    const state = this.state();
    if (state?.startDocumentSha256 === startDocumentSha256) {
      const applied = this.unwatched(state.current);
      const parsed = applied && gatewayConfigSchema.safeParse(withoutRetiredFields(applied.config));
      if (parsed?.success && parsed.data.dataDir === started.dataDir) return parsed.data;
      this.logger.warn({ revision: state.current }, "the applied configuration no longer parses; starting from the file");
    }
    const revision = this.record({ actor: "file", origin: "file", status: "kept", config: started });
    this.writeState({ current: revision.revision, startDocumentSha256 });
    return started;
  }

  /**
   * The revision, unless the gateway stopped while still watching it (it may be what
   * stopped it): that one is marked rolled back and the one it replaced is put back.
   */
  private unwatched(revision: number): ConfigRevision | undefined {
    const applied = this.get(revision);
    if (applied?.status !== "watching" || applied.replaces === undefined) return applied;
    this.logger.warn(
      { revision, restored: applied.replaces },
      "the gateway stopped while watching a configuration; rolling it back",
    );
    this.update(revision, { status: "rolled-back", rollbackReason: "the gateway stopped before its health watch ended" });
    this.setCurrent(applied.replaces);
    return this.get(applied.replaces);
  }

  /**
   * The newest revision before `failed` that was kept (passed its health watch, or came from
   * the file and started), with a document that differs from it: what to start with when
   * `failed` does not start.
   */
  lastKnownGood(failed: ConfigRevision): ConfigRevision | undefined {
    const failedDigest = digest(failed.config);
    return this.list().find(
      (revision) =>
        revision.revision < failed.revision &&
        revision.status === "kept" &&
        revision.config.dataDir === failed.config.dataDir &&
        digest(revision.config) !== failedDigest,
    );
  }

  get current(): ConfigRevision {
    const state = this.state();
    const revision = state && this.get(state.current);
    if (!revision) throw new GatewayError("configuration history has no current revision; startConfig runs first");
    return revision;
  }

  get(revision: number): ConfigRevision | undefined {
    const path = this.revisionPath(revision);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ConfigRevision) : undefined;
  }

  /** Newest first. */
  list(): ConfigRevision[] {
    return readdirSync(join(this.dir, "revisions"))
      .filter((name) => /^\d+\.json$/.test(name))
      .map((name) => Number.parseInt(name, 10))
      .sort((a, b) => b - a)
      .flatMap((revision) => this.get(revision) ?? []);
  }

  /** Records a new revision and makes it the one in force. */
  add(entry: Omit<ConfigRevision, "revision" | "atMs">): ConfigRevision {
    const revision = this.record(entry);
    this.writeState({ ...this.requireState(), current: revision.revision });
    return revision;
  }

  update(revision: number, change: Partial<Pick<ConfigRevision, "status" | "rollbackReason">>): void {
    const existing = this.get(revision);
    if (existing) writeAtomically(this.revisionPath(revision), { ...existing, ...change });
  }

  /** Puts an earlier revision back in force (after a rollback). */
  setCurrent(revision: number): void {
    this.writeState({ ...this.requireState(), current: revision });
  }

  private record(entry: Omit<ConfigRevision, "revision" | "atMs">): ConfigRevision {
    const revision: ConfigRevision = { revision: (this.list()[0]?.revision ?? 0) + 1, atMs: Date.now(), ...entry };
    writeAtomically(this.revisionPath(revision.revision), revision);
    return revision;
  }

  private revisionPath(revision: number): string {
    return join(this.dir, "revisions", `${String(revision).padStart(6, "0")}.json`);
  }

  private state(): HistoryState | undefined {
    const path = join(this.dir, "state.json");
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as HistoryState) : undefined;
  }

  private requireState(): HistoryState {
    const state = this.state();
    if (!state) throw new GatewayError("configuration history has no state; startConfig runs first");
    return state;
  }

  private writeState(state: HistoryState): void {
    writeAtomically(join(this.dir, "state.json"), state);
  }
}
