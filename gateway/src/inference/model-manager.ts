import type { Logger } from "pino";
import { InferenceError } from "./inference-errors.js";
import { listVersions, readModelFolder } from "./model-folder.js";
import { ModelSession } from "./model-session.js";

export interface ModelManagerOptions {
  modelsDir: string;
  name: string;
  logger: Logger;
  /** Called after each swap, with the model now in use. */
  onSwap?: (model: ModelSession, previous: ModelSession | undefined) => void;
}

/**
 * Keeps the model in use and swaps it for another version without stopping scoring: a new
 * version is loaded, checked and warmed up beside the current one, then takes over for the
 * next batch. A batch runs entirely on the model it started with (`withModel`), and a
 * replaced model is released when its last batch is done.
 */
export class ModelManager {
  private readonly options: ModelManagerOptions;
  private active: ModelSession | undefined;
  private readonly leases = new Map<ModelSession, number>();
  private readonly retired = new Set<ModelSession>();
  /** Versions that failed to load, so polling does not retry them forever. */
  private readonly rejected = new Set<number>();
  private loading: Promise<unknown> = Promise.resolve();

  constructor(options: ModelManagerOptions) {
    this.options = options;
  }

  get current(): ModelSession | undefined {
    return this.active;
  }

  /** The versions in the models folder, lowest first. */
  versions(): number[] {
    return listVersions(this.options.modelsDir, this.options.name);
  }

  /** Loads the highest version in the folder. */
  async start(): Promise<ModelSession> {
    const version = listVersions(this.options.modelsDir, this.options.name).at(-1);
    if (version === undefined) {
      throw new InferenceError("no version of the model is in the models folder", {
        modelsDir: this.options.modelsDir,
        name: this.options.name,
      });
    }
    return this.swapTo(version);
  }

  /** Loads, checks and warms up `version`, then makes it the model for the next batch. */
  swapTo(version: number): Promise<ModelSession> {
    const next = this.loading.then(async () => {
      const model = await ModelSession.open(readModelFolder(this.options.modelsDir, this.options.name, version));
      const previous = this.active;
      this.active = model;
      if (previous) this.retire(previous);
      this.options.logger.info({ model: model.version, previous: previous?.version }, "anomaly model in use");
      this.options.onSwap?.(model, previous);
      return model;
    });
    this.loading = next.catch(() => undefined);
    return next;
  }

  /**
   * Swaps to the highest version in the folder when it is newer than the current one and did
   * not fail before; returns whether it swapped. A version that fails to load is logged and
   * skipped until it is replaced by a higher one.
   */
  async checkForNewVersion(): Promise<boolean> {
    const version = listVersions(this.options.modelsDir, this.options.name).at(-1);
    if (version === undefined || version <= (this.active?.manifest.version ?? 0) || this.rejected.has(version)) return false;
    try {
      await this.swapTo(version);
      return true;
    } catch (error) {
      this.rejected.add(version);
      this.options.logger.error({ err: error, version }, "a new model version was refused; the current one stays in use");
      return false;
    }
  }

  /** Runs `task` with the current model, which stays loaded until the task ends. */
  async withModel<T>(task: (model: ModelSession) => Promise<T>): Promise<T> {
    const model = this.active;
    if (!model) throw new InferenceError("no model is loaded");
    this.leases.set(model, (this.leases.get(model) ?? 0) + 1);
    try {
      return await task(model);
    } finally {
      const left = (this.leases.get(model) ?? 1) - 1;
      if (left > 0) this.leases.set(model, left);
      else {
        this.leases.delete(model);
        if (this.retired.delete(model)) await this.release(model);
      }
    }
  }

  private retire(model: ModelSession): void {
    if (this.leases.has(model)) this.retired.add(model);
    else void this.release(model);
  }

  private async release(model: ModelSession): Promise<void> {
    await model
      .release()
      .catch((error: unknown) => this.options.logger.warn({ err: error, model: model.version }, "releasing a model failed"));
  }

  async stop(): Promise<void> {
    await this.loading;
    const model = this.active;
    this.active = undefined;
    if (model) this.retire(model);
  }
}
