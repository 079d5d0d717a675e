import { describe, expect, it } from "vitest";
import { listeningNodes } from "./listening-nodes.js";

const tcpServer = { id: "a1", type: "tcp in", name: "plc", server: "server", port: "502" };

describe("listening nodes in a deploy", () => {
  it("finds them in each of Node-RED's deploy formats", () => {
    expect(listeningNodes([tcpServer])).toEqual(['tcp in "plc" (a1)']);
    expect(listeningNodes({ flows: [tcpServer], rev: "x" })).toEqual(['tcp in "plc" (a1)']);
    expect(
      listeningNodes({
        id: "tab",
        nodes: [{ id: "u1", type: "udp in", port: "9" }],
        configs: [{ id: "w1", type: "websocket-listener" }],
      }),
    ).toEqual(["udp in (u1)", "websocket-listener (w1)"]);
  });

  it("lets the same nodes through when they only connect out or send", () => {
    expect(
      listeningNodes([
        { ...tcpServer, server: "client" },
        { id: "t2", type: "tcp out", beserver: "client" },
        { id: "t3", type: "tcp out", beserver: "reply" },
        { id: "u2", type: "udp out", outport: "" },
        { id: "w2", type: "websocket-client" },
      ]),
    ).toEqual([]);
    expect(
      listeningNodes([
        { id: "t4", type: "tcp out", beserver: "server" },
        { id: "u3", type: "udp out", outport: "4000" },
      ]),
    ).toEqual(["tcp out (t4)", "udp out (u3)"]);
  });
});
