// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice The Groth16 verifier exported from the batch attestation circuit.
interface IBatchProofVerifier {
    /// @notice Whether the proof (pA, pB, pC) proves the public signals.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[7] calldata publicSignals
    ) external view returns (bool);

    /// @notice Whether every proof proves its public signals, checked together in one pairing.
    /// @param proofs Each proof as A.x, A.y, B.x (imaginary, real), B.y (imaginary, real), C.x, C.y.
    /// @param publicSignals Each proof's public signals, in the circuit's order.
    function verifyProofs(uint256[8][] calldata proofs, uint256[7][] calldata publicSignals)
        external
        view
        returns (bool);
}

/// @notice The part of the gateway registry the anchor consults.
interface IGatewayRegistry {
    /// @notice Whether the gateway is registered and active.
    function isActiveGateway(address gateway) external view returns (bool);
}

/// @title DataAnchor
/// @notice Records Merkle roots of sensor-reading batches so that anyone holding a reading and
/// its receipt can check, against the chain alone, when the root was anchored and what it covers.
/// Three ways in: the relay anchors one root per interval folding many batches (`anchor`); a
/// single batch root is anchored with its Groth16 proof checked here (`anchorVerifiedBatch`),
/// which records the batch's proven claims; or several batch roots are anchored at once, their
/// proofs checked together (`anchorVerifiedBatches`), their claims emitted.
/// @dev Each root is anchored at most once. Upgradeable behind a UUPS proxy; the admin
/// authorizes upgrades and manages roles.
contract DataAnchor is Initializable, AccessControlUpgradeable, UUPSUpgradeable {
    /// @notice Role allowed to anchor roots: the cloud relay.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice What the chain knows about an anchored root.
    /// @param blockNumber Block in which the root was anchored; 0 means "never anchored".
    /// @param timestamp Timestamp of that block, in seconds since the Unix epoch.
    /// @param batchCount Number of gateway batches folded into the root.
    /// @param readingCount Number of sensor readings covered by the root.
    struct AnchorRecord {
        uint64 blockNumber;
        uint64 timestamp;
        uint64 batchCount;
        uint64 readingCount;
    }

    /// @notice The public claims of a batch proof, in the circuit's public-signal order.
    /// @param batchRoot The batch's root (a BN254 field element).
    /// @param gatewayId The address of the gateway that sealed the batch.
    /// @param windowStartSec First second (Unix time) a reading of the batch was received in.
    /// @param windowEndSec Last second a reading of the batch was received in.
    /// @param readingCount Readings in the batch.
    /// @param anomalyCount Readings the gateway flagged as anomalous.
    /// @param streamsHash Commitment to the batch's stream table (devices, channels, bounds).
    struct BatchClaims {
        uint256 batchRoot;
        uint256 gatewayId;
        uint256 windowStartSec;
        uint256 windowEndSec;
        uint256 readingCount;
        uint256 anomalyCount;
        uint256 streamsHash;
    }

    /// @notice A batch proof, its points in the order the EVM's pairing precompile takes them.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point (each coordinate imaginary part first).
    /// @param pC The proof's C point.
    struct BatchProof {
        uint256[2] pA;
        uint256[2][2] pB;
        uint256[2] pC;
    }

    /// @notice The gateway registry consulted for verified batches.
    IGatewayRegistry public registry;
    /// @notice The Groth16 verifier of the batch circuit.
    IBatchProofVerifier public batchVerifier;

    mapping(bytes32 root => AnchorRecord record) private _anchors;
    mapping(bytes32 root => BatchClaims claims) private _verifiedBatches;

    /// @notice A root was anchored.
    /// @param root The Merkle root.
    /// @param batchCount Number of gateway batches folded into the root.
    /// @param readingCount Number of sensor readings covered by the root.
    /// @param anchorer The account that anchored it.
    event RootAnchored(bytes32 indexed root, uint64 batchCount, uint64 readingCount, address indexed anchorer);

    /// @notice A batch root was anchored with its proof checked on-chain (RootAnchored follows).
    /// @param root The batch root.
    /// @param gateway The gateway that sealed the batch.
    /// @param windowStartSec First second a reading was received in.
    /// @param windowEndSec Last second a reading was received in.
    /// @param readingCount Readings in the batch.
    /// @param anomalyCount Readings flagged as anomalous.
    /// @param streamsHash Commitment to the stream table whose bounds every value lies within.
    event BatchVerified(
        bytes32 indexed root,
        address indexed gateway,
        uint64 windowStartSec,
        uint64 windowEndSec,
        uint64 readingCount,
        uint64 anomalyCount,
        uint256 streamsHash
    );

    /// @notice The batch verifier was replaced (a new circuit version).
    /// @param previousVerifier The verifier used until now.
    /// @param newVerifier The verifier used from now on.
    event BatchVerifierChanged(address indexed previousVerifier, address indexed newVerifier);

    /// @notice `root` was anchored before; roots are anchored exactly once.
    /// @param root The root that is already on-chain.
    error AlreadyAnchored(bytes32 root);
    /// @notice The zero root cannot be anchored: it means "unknown" in `anchorOf`.
    error ZeroRoot();
    /// @notice The zero address cannot be the admin, anchorer, registry or verifier.
    error ZeroAddress();
    /// @notice A verified batch must come from its own gateway or from an anchorer.
    /// @param caller The account that submitted the batch.
    /// @param gateway The gateway the batch names.
    error NotBatchSubmitter(address caller, address gateway);
    /// @notice The batch's gateway is not an active gateway of the registry.
    /// @param gateway The gateway the batch names.
    error GatewayNotActive(address gateway);
    /// @notice The proof does not prove the claims of batch `root`.
    /// @param root The batch root claimed.
    error InvalidBatchProof(bytes32 root);
    /// @notice At least one of the proofs anchored together does not prove its claims (checked
    /// together, they fail together: the transaction names no single culprit).
    /// @param batchCount The number of batches submitted.
    error InvalidBatchProofs(uint256 batchCount);
    /// @notice `anchorVerifiedBatches` needs one proof per batch, and at least one batch.
    /// @param proofCount Proofs submitted.
    /// @param claimCount Batches (claims) submitted.
    error BatchCountMismatch(uint256 proofCount, uint256 claimCount);
    /// @notice A claim does not fit its type (a gateway id above 160 bits, a count or second above 64 bits).
    /// @param root The batch root claimed.
    error ClaimOutOfRange(bytes32 root);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the anchor up behind its proxy.
    /// @param admin Account that manages roles, the verifier and upgrades.
    /// @param anchorer The relay's account, allowed to anchor roots.
    /// @param gatewayRegistry The registry of gateways.
    /// @param verifier The batch circuit's Groth16 verifier.
    function initialize(address admin, address anchorer, IGatewayRegistry gatewayRegistry, IBatchProofVerifier verifier)
        external
        initializer
    {
        if (
            admin == address(0) || anchorer == address(0) || address(gatewayRegistry) == address(0)
                || address(verifier) == address(0)
        ) revert ZeroAddress();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
        registry = gatewayRegistry;
        batchVerifier = verifier;
        emit BatchVerifierChanged(address(0), address(verifier));
    }

    /// @notice Anchors `root` in the current block.
    /// @dev Only an anchorer may call this; each non-zero root can be anchored once.
    /// @param root The Merkle root to anchor.
    /// @param batchCount Number of gateway batches folded into the root.
    /// @param readingCount Number of sensor readings covered by the root.
    function anchor(bytes32 root, uint64 batchCount, uint64 readingCount) external onlyRole(ANCHORER_ROLE) {
        _record(root, batchCount, readingCount);
    }

    /// @notice Anchors one batch root after checking its Groth16 proof, and records its claims.
    /// @dev The caller is the batch's gateway itself or an anchorer (which checked the gateway's
    /// signature): the circuit proves the claims about the readings, not who sealed them.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point.
    /// @param pC The proof's C point.
    /// @param claims The public signals of the proof.
    function anchorVerifiedBatch(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        BatchClaims calldata claims
    ) external {
        bytes32 root = bytes32(claims.batchRoot);
        _checkBatch(claims, hasRole(ANCHORER_ROLE, msg.sender), address(0));
        uint256[7] memory signals = [
            claims.batchRoot,
            claims.gatewayId,
            claims.windowStartSec,
            claims.windowEndSec,
            claims.readingCount,
            claims.anomalyCount,
            claims.streamsHash
        ];
        if (!batchVerifier.verifyProof(pA, pB, pC, signals)) revert InvalidBatchProof(root);
        _verifiedBatches[root] = claims;
        _anchorVerified(claims);
    }

    /// @notice Anchors several batch roots, each as its own root, after checking all their
    /// Groth16 proofs in one batch verification; emits each batch's claims (`BatchVerified`) but,
    /// unlike `anchorVerifiedBatch`, does not store them (`verifiedBatchOf` stays empty): storing
    /// seven words per batch would cost more than verifying it.
    /// @dev The caller is an anchorer, or the gateway of every batch. One bad proof reverts the
    /// whole transaction. Consecutive batches of one gateway ask the registry once.
    /// @param proofs The batches' proofs.
    /// @param claims The public signals of each proof, in the same order.
    function anchorVerifiedBatches(BatchProof[] calldata proofs, BatchClaims[] calldata claims) external {
        uint256 count = claims.length;
        if (count == 0 || proofs.length != count) revert BatchCountMismatch(proofs.length, count);
        bool anchorer = hasRole(ANCHORER_ROLE, msg.sender);
        address active;
        for (uint256 i; i < count; ++i) {
            active = _checkBatch(claims[i], anchorer, active);
        }
        // BatchProof and BatchClaims are static tuples of 8 and 7 words: ABI-encoded exactly as
        // the verifier's uint256[8][] and uint256[7][].
        (bool called, bytes memory answer) = address(batchVerifier).staticcall(
            abi.encodeWithSelector(IBatchProofVerifier.verifyProofs.selector, proofs, claims)
        );
        if (!called || answer.length != 32 || abi.decode(answer, (uint256)) != 1) revert InvalidBatchProofs(count);
        for (uint256 i; i < count; ++i) {
            _anchorVerified(claims[i]);
        }
    }

    /// @notice Replaces the batch verifier, for a new version of the circuit.
    /// @param verifier The new verifier.
    function setBatchVerifier(IBatchProofVerifier verifier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(verifier) == address(0)) revert ZeroAddress();
        address previous = address(batchVerifier);
        batchVerifier = verifier;
        emit BatchVerifierChanged(previous, address(verifier));
    }

    /// @notice Looks up an anchored root.
    /// @param root The Merkle root.
    /// @return record The anchor record; all fields are zero if `root` was never anchored.
    function anchorOf(bytes32 root) external view returns (AnchorRecord memory record) {
        return _anchors[root];
    }

    /// @notice The claims a batch root was anchored with by `anchorVerifiedBatch`.
    /// @param root The batch root.
    /// @return claims The proven claims; all zero if the root was not anchored with a proof.
    function verifiedBatchOf(bytes32 root) external view returns (BatchClaims memory claims) {
        return _verifiedBatches[root];
    }

    /// @dev Checks what the proof does not: claims that fit their types, a submitter allowed for
    /// the batch's gateway, that gateway active (unless it is `active`, non-zero, found so before).
    /// Returns the batch's gateway, now known to be active.
    function _checkBatch(BatchClaims calldata claims, bool anchorer, address active) private view returns (address) {
        if (
            claims.gatewayId > type(uint160).max || claims.windowStartSec > type(uint64).max
                || claims.windowEndSec > type(uint64).max || claims.readingCount > type(uint64).max
                || claims.anomalyCount > type(uint64).max
        ) revert ClaimOutOfRange(bytes32(claims.batchRoot));
        address gateway = address(uint160(claims.gatewayId));
        if (msg.sender != gateway && !anchorer) revert NotBatchSubmitter(msg.sender, gateway);
        if ((gateway != active || active == address(0)) && !registry.isActiveGateway(gateway)) {
            revert GatewayNotActive(gateway);
        }
        return gateway;
    }

    /// @dev Emits a verified batch's claims and anchors its root.
    function _anchorVerified(BatchClaims calldata claims) private {
        bytes32 root = bytes32(claims.batchRoot);
        emit BatchVerified(
            root,
            address(uint160(claims.gatewayId)),
            uint64(claims.windowStartSec),
            uint64(claims.windowEndSec),
            uint64(claims.readingCount),
            uint64(claims.anomalyCount),
            claims.streamsHash
        );
        _record(root, 1, uint64(claims.readingCount));
    }

    function _record(bytes32 root, uint64 batchCount, uint64 readingCount) private {
        if (root == bytes32(0)) revert ZeroRoot();
        if (_anchors[root].blockNumber != 0) revert AlreadyAnchored(root);
        _anchors[root] = AnchorRecord({
            blockNumber: uint64(block.number),
            timestamp: uint64(block.timestamp),
            batchCount: batchCount,
            readingCount: readingCount
        });
        emit RootAnchored(root, batchCount, readingCount, msg.sender);
    }

    /// @dev Only the admin may upgrade.
    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
