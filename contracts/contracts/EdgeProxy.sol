// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title EdgeProxy
/// @notice The ERC-1967 proxy every upgradeable contract of IntelLedger Edge sits behind (UUPS:
/// the implementation decides who may upgrade it).
contract EdgeProxy is ERC1967Proxy {
    /// @param implementation The first implementation.
    /// @param initData The call that initializes the proxy's storage (the implementation's `initialize`).
    constructor(address implementation, bytes memory initData) ERC1967Proxy(implementation, initData) {}
}
