import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { createServer, connect, type TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority, issueCertificate } from "./certificate-authority.js";

describe("certificate authority", () => {
  it("issues certificates that Node's TLS accepts for a mutual-TLS handshake", async () => {
    const ca = await createCertificateAuthority("Test relay CA");
    const server = await issueCertificate(ca, { commonName: "relay", role: "server", hostnames: ["localhost", "127.0.0.1"] });
    const client = await issueCertificate(ca, { commonName: "0xGateway", role: "client" });
    expect(new X509Certificate(server.certificatePem).checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);

    const tlsServer = createServer({
      cert: server.certificatePem,
      key: server.privateKeyPem,
      ca: ca.certificatePem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peerName = new Promise<string>((resolve) =>
      tlsServer.on("secureConnection", (socket: TLSSocket) => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.end();
      }),
    );
    tlsServer.listen(0, "127.0.0.1");
    await once(tlsServer, "listening");
    const { port } = tlsServer.address() as { port: number };
    const socket = connect({
      host: "127.0.0.1",
      port,
      ca: ca.certificatePem,
      cert: client.certificatePem,
      key: client.privateKeyPem,
    });
    await once(socket, "secureConnect");
    expect(socket.authorized).toBe(true);
    expect(await peerName).toBe("0xGateway");
    socket.destroy();
    tlsServer.close();
  });

  it("a certificate from another authority is refused", async () => {
    const ca = await createCertificateAuthority("Relay CA");
    const stranger = await createCertificateAuthority("Other CA");
    const server = await issueCertificate(ca, { commonName: "relay", role: "server", hostnames: ["127.0.0.1"] });
    const tlsServer = createServer({ cert: server.certificatePem, key: server.privateKeyPem });
    tlsServer.listen(0, "127.0.0.1");
    await once(tlsServer, "listening");
    const { port } = tlsServer.address() as { port: number };
    const socket = connect({ host: "127.0.0.1", port, ca: stranger.certificatePem });
    const [error] = (await once(socket, "error")) as [NodeJS.ErrnoException];
    expect(error.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    tlsServer.close();
  });
});
