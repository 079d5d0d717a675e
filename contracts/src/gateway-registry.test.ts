import { Wallet, ZeroAddress, ZeroHash, encodeBytes32String, id, randomBytes } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { revertOf, sendAndWait } from "./contract-calls.js";
import { gatewayRegistryAbi } from "./generated/gateway-registry-artifact.js";
import { abiAddress, abiHex, TypedContract } from "./typed-contract.js";
import { startDeployedTestChain } from "../test/test-chain.js";

const REGISTRAR_ROLE = abiHex(id("REGISTRAR_ROLE"));
const publicKey = () => abiHex(new Uint8Array([4, ...randomBytes(64)]));

const chain = await startDeployedTestChain();
afterAll(() => chain.stop());
const [admin, registrar, stranger] = chain.wallets;
const as = (signer: Wallet) => new TypedContract(chain.deployment.registry, gatewayRegistryAbi, signer);
await sendAndWait(as(admin), "grantRole", [REGISTRAR_ROLE, abiAddress(registrar.address)]);

describe("GatewayRegistry", () => {
  const gateway = () => abiAddress(Wallet.createRandom().address);

  it("registers a gateway and its devices, emitting events for indexers", async () => {
    const address = gateway();
    const receipt = await sendAndWait(as(registrar), "registerGateway", [address]);
    expect(receipt.logs.map((log) => as(stranger).parseLog("GatewayRegistered", log))).toEqual([
      { gateway: address, registrar: registrar.address },
    ]);
    expect(await as(stranger).read("isActiveGateway", [address])).toEqual([true]);

    const deviceId = abiHex(encodeBytes32String("esp32-01"));
    const key = publicKey();
    const deviceReceipt = await sendAndWait(as(registrar), "registerDevice", [deviceId, address, key]);
    expect(as(stranger).parseLog("DeviceRegistered", deviceReceipt.logs[0]!)).toEqual({
      deviceId,
      gateway: address,
      publicKey: key,
    });
    expect(await as(stranger).read("isActiveDevice", [deviceId])).toEqual([true]);
    expect(await as(stranger).read("deviceOf", [deviceId])).toMatchObject([{ gateway: address, deactivatedAt: 0n }]);

    // A deactivated gateway takes its devices with it.
    await sendAndWait(as(registrar), "deactivateGateway", [address]);
    expect(await as(stranger).read("isActiveGateway", [address])).toEqual([false]);
    expect(await as(stranger).read("isActiveDevice", [deviceId])).toEqual([false]);
  });

  it("deactivates a device", async () => {
    const address = gateway();
    await sendAndWait(as(registrar), "registerGateway", [address]);
    const deviceId = abiHex(encodeBytes32String("esp32-02"));
    await sendAndWait(as(registrar), "registerDevice", [deviceId, address, publicKey()]);
    await sendAndWait(as(registrar), "deactivateDevice", [deviceId]);
    expect(await as(stranger).read("isActiveDevice", [deviceId])).toEqual([false]);
    expect(await revertOf(sendAndWait(as(registrar), "deactivateDevice", [deviceId]))).toEqual({
      name: "DeviceNotActive",
      args: [deviceId],
    });
  });

  it("refuses every change from an account without the registrar role", async () => {
    const unauthorized = { name: "AccessControlUnauthorizedAccount", args: [stranger.address, REGISTRAR_ROLE] };
    const deviceId = abiHex(encodeBytes32String("esp32-03"));
    expect(await revertOf(sendAndWait(as(stranger), "registerGateway", [gateway()]))).toEqual(unauthorized);
    expect(await revertOf(sendAndWait(as(stranger), "deactivateGateway", [gateway()]))).toEqual(unauthorized);
    expect(await revertOf(sendAndWait(as(stranger), "registerDevice", [deviceId, gateway(), publicKey()]))).toEqual(unauthorized);
    expect(await revertOf(sendAndWait(as(stranger), "deactivateDevice", [deviceId]))).toEqual(unauthorized);
  });

  it("refuses gateways that are zero, known or inactive", async () => {
    const address = gateway();
    expect(await revertOf(sendAndWait(as(registrar), "registerGateway", [abiAddress(ZeroAddress)]))).toEqual({
      name: "ZeroAddress",
      args: [],
    });
    await sendAndWait(as(registrar), "registerGateway", [address]);
    expect(await revertOf(sendAndWait(as(registrar), "registerGateway", [address]))).toEqual({
      name: "GatewayAlreadyRegistered",
      args: [address],
    });
    const unknown = gateway();
    expect(await revertOf(sendAndWait(as(registrar), "deactivateGateway", [unknown]))).toEqual({
      name: "GatewayNotActive",
      args: [unknown],
    });
    await sendAndWait(as(registrar), "deactivateGateway", [address]);
    expect(await revertOf(sendAndWait(as(registrar), "deactivateGateway", [address]))).toEqual({
      name: "GatewayNotActive",
      args: [address],
    });
  });

  it("refuses devices with a bad id or key, an inactive gateway, or an id already taken", async () => {
    const address = gateway();
    await sendAndWait(as(registrar), "registerGateway", [address]);
    const full = abiHex(new Uint8Array(32).fill(0x41));
    expect(await revertOf(sendAndWait(as(registrar), "registerDevice", [abiHex(ZeroHash), address, publicKey()]))).toEqual({
      name: "InvalidDeviceId",
      args: [ZeroHash],
    });
    expect(await revertOf(sendAndWait(as(registrar), "registerDevice", [full, address, publicKey()]))).toEqual({
      name: "InvalidDeviceId",
      args: [full],
    });
    const deviceId = abiHex(encodeBytes32String("esp32-04"));
    expect(await revertOf(sendAndWait(as(registrar), "registerDevice", [deviceId, address, abiHex(randomBytes(64))]))).toEqual({
      name: "InvalidPublicKey",
      args: [64n],
    });
    expect(
      await revertOf(
        sendAndWait(as(registrar), "registerDevice", [deviceId, address, abiHex(new Uint8Array([3, ...randomBytes(64)]))]),
      ),
    ).toEqual({
      name: "InvalidPublicKey",
      args: [65n],
    });
    const inactive = gateway();
    expect(await revertOf(sendAndWait(as(registrar), "registerDevice", [deviceId, inactive, publicKey()]))).toEqual({
      name: "GatewayNotActive",
      args: [inactive],
    });
    await sendAndWait(as(registrar), "registerDevice", [deviceId, address, publicKey()]);
    expect(await revertOf(sendAndWait(as(registrar), "registerDevice", [deviceId, address, publicKey()]))).toEqual({
      name: "DeviceAlreadyRegistered",
      args: [deviceId],
    });
    const unknownDevice = abiHex(encodeBytes32String("nobody"));
    expect(await revertOf(sendAndWait(as(registrar), "deactivateDevice", [unknownDevice]))).toEqual({
      name: "DeviceNotActive",
      args: [unknownDevice],
    });
  });

  it("cannot be initialized twice, nor its implementation at all", async () => {
    expect(await revertOf(sendAndWait(as(admin), "initialize", [abiAddress(admin.address)]))).toEqual({
      name: "InvalidInitialization",
      args: [],
    });
    const implementation = new TypedContract(chain.deployment.implementations.registry, gatewayRegistryAbi, admin);
    expect(await revertOf(sendAndWait(implementation, "initialize", [abiAddress(admin.address)]))).toEqual({
      name: "InvalidInitialization",
      args: [],
    });
  });
});
