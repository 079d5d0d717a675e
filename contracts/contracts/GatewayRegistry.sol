// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title GatewayRegistry
/// @notice Which gateways and sensor devices belong to the deployment. A gateway is known by its
/// secp256k1 address, the key that signs its batches; a device by its id (up to 31 ASCII bytes,
/// left-aligned in a bytes32) and its P-256 public key, and it belongs to one gateway.
/// @dev Deactivation is final for that record: a gateway or device that comes back registers
/// under a new key. Upgradeable behind a UUPS proxy; the admin authorizes upgrades.
contract GatewayRegistry is Initializable, AccessControlUpgradeable, UUPSUpgradeable {
    /// @notice Role allowed to register and deactivate gateways and devices.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice What the registry knows about a gateway.
    /// @param registeredAt Timestamp of registration; 0 means "never registered".
    /// @param deactivatedAt Timestamp of deactivation; 0 while active.
    struct GatewayRecord {
        uint64 registeredAt;
        uint64 deactivatedAt;
    }

    /// @notice What the registry knows about a device.
    /// @param gateway The gateway the device reports to.
    /// @param publicKeyHash keccak256 of the device's 65-byte uncompressed P-256 public key.
    /// @param registeredAt Timestamp of registration; 0 means "never registered".
    /// @param deactivatedAt Timestamp of deactivation; 0 while active.
    struct DeviceRecord {
        address gateway;
        bytes32 publicKeyHash;
        uint64 registeredAt;
        uint64 deactivatedAt;
    }

    mapping(address gateway => GatewayRecord record) private _gateways;
    mapping(bytes32 deviceId => DeviceRecord record) private _devices;

    /// @notice A gateway was registered.
    /// @param gateway The gateway's address.
    /// @param registrar The account that registered it.
    event GatewayRegistered(address indexed gateway, address indexed registrar);
    /// @notice A gateway was deactivated; its devices count as inactive from now on.
    /// @param gateway The gateway's address.
    /// @param registrar The account that deactivated it.
    event GatewayDeactivated(address indexed gateway, address indexed registrar);
    /// @notice A device was registered; the event carries its full public key for indexers.
    /// @param deviceId The device id.
    /// @param gateway The gateway the device reports to.
    /// @param publicKey The device's 65-byte uncompressed P-256 public key.
    event DeviceRegistered(bytes32 indexed deviceId, address indexed gateway, bytes publicKey);
    /// @notice A device was deactivated.
    /// @param deviceId The device id.
    /// @param registrar The account that deactivated it.
    event DeviceDeactivated(bytes32 indexed deviceId, address indexed registrar);

    /// @notice The zero address cannot be an admin or a gateway.
    error ZeroAddress();
    /// @notice `gateway` was registered before.
    /// @param gateway The gateway's address.
    error GatewayAlreadyRegistered(address gateway);
    /// @notice `gateway` is not registered, or no longer active.
    /// @param gateway The gateway's address.
    error GatewayNotActive(address gateway);
    /// @notice `deviceId` was registered before.
    /// @param deviceId The device id.
    error DeviceAlreadyRegistered(bytes32 deviceId);
    /// @notice `deviceId` is not registered, or no longer active.
    /// @param deviceId The device id.
    error DeviceNotActive(bytes32 deviceId);
    /// @notice A device id is 1 to 31 bytes, left-aligned, with a zero last byte.
    /// @param deviceId The id given.
    error InvalidDeviceId(bytes32 deviceId);
    /// @notice A device public key is 65 bytes starting with 0x04.
    /// @param length The length of the key given.
    error InvalidPublicKey(uint256 length);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the registry up behind its proxy.
    /// @param admin Account that manages roles and authorizes upgrades; also a registrar.
    function initialize(address admin) external initializer {
        if (admin == address(0)) revert ZeroAddress();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @notice Registers `gateway`, the address of its batch-signing key.
    /// @param gateway The gateway's address.
    function registerGateway(address gateway) external onlyRole(REGISTRAR_ROLE) {
        if (gateway == address(0)) revert ZeroAddress();
        if (_gateways[gateway].registeredAt != 0) revert GatewayAlreadyRegistered(gateway);
        _gateways[gateway] = GatewayRecord({registeredAt: uint64(block.timestamp), deactivatedAt: 0});
        emit GatewayRegistered(gateway, msg.sender);
    }

    /// @notice Deactivates `gateway`, for example after its key was lost.
    /// @param gateway The gateway's address.
    function deactivateGateway(address gateway) external onlyRole(REGISTRAR_ROLE) {
        if (!isActiveGateway(gateway)) revert GatewayNotActive(gateway);
        _gateways[gateway].deactivatedAt = uint64(block.timestamp);
        emit GatewayDeactivated(gateway, msg.sender);
    }

    /// @notice Registers a device with its P-256 public key under an active gateway.
    /// @param deviceId The device id, ASCII, left-aligned.
    /// @param gateway The gateway the device reports to.
    /// @param publicKey The 65-byte uncompressed P-256 public key (0x04 || X || Y).
    function registerDevice(bytes32 deviceId, address gateway, bytes calldata publicKey) external onlyRole(REGISTRAR_ROLE) {
        if (deviceId == bytes32(0) || deviceId[31] != 0) revert InvalidDeviceId(deviceId);
        if (publicKey.length != 65 || publicKey[0] != 0x04) revert InvalidPublicKey(publicKey.length);
        if (!isActiveGateway(gateway)) revert GatewayNotActive(gateway);
        if (_devices[deviceId].registeredAt != 0) revert DeviceAlreadyRegistered(deviceId);
        _devices[deviceId] = DeviceRecord({
            gateway: gateway,
            publicKeyHash: keccak256(publicKey),
            registeredAt: uint64(block.timestamp),
            deactivatedAt: 0
        });
        emit DeviceRegistered(deviceId, gateway, publicKey);
    }

    /// @notice Deactivates a device.
    /// @param deviceId The device id.
    function deactivateDevice(bytes32 deviceId) external onlyRole(REGISTRAR_ROLE) {
        DeviceRecord storage device = _devices[deviceId];
        if (device.registeredAt == 0 || device.deactivatedAt != 0) revert DeviceNotActive(deviceId);
        device.deactivatedAt = uint64(block.timestamp);
        emit DeviceDeactivated(deviceId, msg.sender);
    }

    /// @notice Whether `gateway` is registered and not deactivated.
    /// @param gateway The gateway's address.
    function isActiveGateway(address gateway) public view returns (bool) {
        GatewayRecord storage record = _gateways[gateway];
        return record.registeredAt != 0 && record.deactivatedAt == 0;
    }

    /// @notice Whether `deviceId` is registered, not deactivated, and its gateway is active.
    /// @param deviceId The device id.
    function isActiveDevice(bytes32 deviceId) external view returns (bool) {
        DeviceRecord storage device = _devices[deviceId];
        return device.registeredAt != 0 && device.deactivatedAt == 0 && isActiveGateway(device.gateway);
    }

    /// @notice The record of `gateway`; all zero if it was never registered.
    /// @param gateway The gateway's address.
    function gatewayOf(address gateway) external view returns (GatewayRecord memory) {
        return _gateways[gateway];
    }

    /// @notice The record of `deviceId`; all zero if it was never registered.
    /// @param deviceId The device id.
    function deviceOf(bytes32 deviceId) external view returns (DeviceRecord memory) {
        return _devices[deviceId];
    }

    /// @dev Only the admin may upgrade.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
