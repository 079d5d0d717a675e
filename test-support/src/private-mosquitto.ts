import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";

/**
 * A Mosquitto broker of the test's own (Debian's `mosquitto`), on a port of its choosing,
 * with persistence and a password file: the external broker a production gateway uses.
 * `config` adds lines to its configuration (an ACL file, a maximum packet size).
 */
export class PrivateMosquitto {
  readonly port: number;
  readonly url: string;
  private child: ChildProcess | undefined;
  private readonly configPath: string;
  private readonly passwordsPath: string;

  private constructor(dir: string, port: number) {
    this.port = port;
    this.url = `mqtt://127.0.0.1:${port}`;
    this.configPath = join(dir, "mosquitto.conf");
    this.passwordsPath = join(dir, "passwords");
  }

  static async start(options: {
    dir: string;
    port: number;
    users: Record<string, string>;
    config?: readonly string[];
  }): Promise<PrivateMosquitto> {
    const broker = new PrivateMosquitto(options.dir, options.port);
    const passwords = broker.passwordsPath;
    writeFileSync(passwords, "");
    for (const [user, password] of Object.entries(options.users))
      execFileSync("mosquitto_passwd", ["-b", passwords, user, password]);
    writeFileSync(
      broker.configPath,
      [
        `listener ${options.port} 127.0.0.1`,
        // Started as root, Mosquitto would switch to its own user, which cannot read our files.
        `user ${userInfo().username}`,
        "allow_anonymous false",
        `password_file ${passwords}`,
        "persistence true",
        `persistence_location ${options.dir}/`,
        "max_queued_messages 100000",
        ...(options.config ?? []),
        "",
      ].join("\n"),
    );
    await broker.resume();
    return broker;
  }

  /** Starts (again) with the same configuration and persisted state. */
  async resume(): Promise<void> {
    // Debian installs the broker in /usr/sbin, which is not on every user's PATH.
    const path = [process.env["PATH"], "/usr/sbin", "/usr/local/sbin"].filter(Boolean).join(":");
    this.child = spawn("mosquitto", ["-c", this.configPath], { stdio: "ignore", env: { ...process.env, PATH: path } });
    const deadline = Date.now() + 10_000;
    while (!(await this.accepting())) {
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Adds a login to the password file and has the running broker reload it (SIGHUP), as an operator does. */
  async addUser(user: string, password: string): Promise<void> {
    execFileSync("mosquitto_passwd", ["-b", this.passwordsPath, user, password]);
    this.child?.kill("SIGHUP");
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const probe = await mqtt.connectAsync(this.url, {
          clientId: `reload-${user}`,
          username: user,
          password,
          reconnectPeriod: 0,
        });
        await probe.endAsync();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }

  private accepting(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: this.port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  }
}
