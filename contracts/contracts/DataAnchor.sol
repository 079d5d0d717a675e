// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title DataAnchor
/// @notice Records Merkle roots of sensor-reading batches so that anyone holding a reading and
/// its receipt can check, against the chain alone, when the root was anchored and what it covers.
/// @dev Each root is anchored at most once, by the single `anchorer` account (the cloud relay).
/// Deliberately minimal: role-based access control and an upgradeable proxy come with the registry.
contract DataAnchor {
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

    /// @notice Account allowed to change the anchorer.
    address public immutable owner;

    /// @notice Account allowed to anchor roots.
    address public anchorer;

    mapping(bytes32 root => AnchorRecord record) private _anchors;

    /// @notice A root was anchored.
    /// @param root The Merkle root.
    /// @param batchCount Number of gateway batches folded into the root.
    /// @param readingCount Number of sensor readings covered by the root.
    /// @param anchorer The account that anchored it.
    event RootAnchored(bytes32 indexed root, uint64 batchCount, uint64 readingCount, address indexed anchorer);

    /// @notice The anchorer account changed.
    /// @param previousAnchorer The account that could anchor until now.
    /// @param newAnchorer The account that can anchor from now on.
    event AnchorerChanged(address indexed previousAnchorer, address indexed newAnchorer);

    /// @notice `caller` is not the anchorer.
    /// @param caller The account that tried to anchor.
    error NotAnchorer(address caller);

    /// @notice `caller` is not the owner.
    /// @param caller The account that tried an owner-only action.
    error NotOwner(address caller);

    /// @notice `root` was anchored before; roots are anchored exactly once.
    /// @param root The root that is already on-chain.
    error AlreadyAnchored(bytes32 root);

    /// @notice The zero root cannot be anchored: it means "unknown" in `anchorOf`.
    error ZeroRoot();

    /// @notice The zero address cannot be the anchorer.
    error ZeroAnchorer();

    /// @notice Makes the deployer the owner and `initialAnchorer` the anchorer.
    /// @param initialAnchorer The account that may anchor roots.
    constructor(address initialAnchorer) {
        if (initialAnchorer == address(0)) revert ZeroAnchorer();
        owner = msg.sender;
        anchorer = initialAnchorer;
        emit AnchorerChanged(address(0), initialAnchorer);
    }

    /// @notice Hands the anchorer role to another account (for example after a relay key rotation).
    /// @dev Only the owner may call this.
    /// @param newAnchorer The account that may anchor roots from now on.
    function setAnchorer(address newAnchorer) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (newAnchorer == address(0)) revert ZeroAnchorer();
        address previous = anchorer;
        anchorer = newAnchorer;
        emit AnchorerChanged(previous, newAnchorer);
    }

    /// @notice Anchors `root` in the current block.
    /// @dev Only the anchorer may call this; each non-zero root can be anchored once.
    /// @param root The Merkle root to anchor.
    /// @param batchCount Number of gateway batches folded into the root.
    /// @param readingCount Number of sensor readings covered by the root.
    function anchor(bytes32 root, uint64 batchCount, uint64 readingCount) external {
        if (msg.sender != anchorer) revert NotAnchorer(msg.sender);
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

    /// @notice Looks up an anchored root.
    /// @param root The Merkle root.
    /// @return record The anchor record; all fields are zero if `root` was never anchored.
    function anchorOf(bytes32 root) external view returns (AnchorRecord memory record) {
        return _anchors[root];
    }
}
