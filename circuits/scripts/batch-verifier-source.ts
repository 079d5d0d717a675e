// The Solidity of the batch verifier: snarkjs's Groth16 verifier (one proof, `verifyProof`)
// with `verifyProofs` added, which checks k proofs with one multi-pairing of k + 3 pairs over a
// random linear combination whose coefficients come from a hash of every proof and public
// signal (docs/decisions.md argues why that is sound). Both read the verification key from the
// constants snarkjs's template declares (`alphax`, `IC0x`, …), so the deployed code pushes each
// coordinate once, as the receipt verifier's key check expects.

/** Public signals of the verification key: one fewer than its IC points. */
function publicSignalCount(vkey: { IC?: unknown }): number {
  if (!Array.isArray(vkey.IC) || vkey.IC.length < 2) throw new Error("the verification key has no IC points");
  return vkey.IC.length - 1;
}

/** `verifyProofs` for a key with `n` public signals, in Solidity with inline assembly. */
function aggregateVerifierFunction(n: number): string {
  const signals = Array.from({ length: n }, (_, j) => j + 1);
  const lines = (render: (j: number) => string, indent: string) => signals.map((j) => `${indent}${render(j)}`).join("\n");
  // A G2 point of the key (snarkjs's constants `<name>x1`, `x2`, `y1`, `y2`) into the pairing input at `offset`.
  const keyPoint = (name: string, offset: number) =>
    ["x1", "x2", "y1", "y2"].map((part, i) => `            mstore(add(pair, ${offset + 32 * i}), ${name}${part})`).join("\n");
  return `
    /// @notice Whether every proof proves its public signals (proofs[i] with publicSignals[i]).
    /// @dev Groth16 batch verification: with coefficients c_0 = 1 and c_i (i > 0) in [1, 2^128]
    /// drawn from keccak256 of all proofs and signals (Fiat-Shamir: a submitter cannot choose
    /// them), checks prod e(-c_i A_i, B_i) * e(sum c_i alpha, beta) * e(sum c_i vk_x_i, gamma)
    /// * e(sum c_i C_i, delta) = 1, one pairing of k + 3 pairs. A point off the curve or a
    /// coordinate not below q, a signal not below r, or differing lengths make it false.
    /// @param proofs Each proof as A.x, A.y, B.x (imaginary, real), B.y (imaginary, real), C.x, C.y.
    /// @param publicSignals Each proof's public signals, in the circuit's order.
    function verifyProofs(uint256[8][] calldata proofs, uint256[${n}][] calldata publicSignals) public view returns (bool) {
        assembly {
            function fail() {
                mstore(0, 0)
                return(0, 0x20)
            }

            // (x, y) times s into pR
            function g1_mul(pR, x, y, s, pTmp) {
                mstore(pTmp, x)
                mstore(add(pTmp, 32), y)
                mstore(add(pTmp, 64), s)
                if iszero(staticcall(gas(), 7, pTmp, 96, pR, 64)) { fail() }
            }

            // (x, y) times s added to pR
            function g1_mulAcc(pR, x, y, s, pTmp) {
                g1_mul(pTmp, x, y, s, pTmp)
                mstore(add(pTmp, 64), mload(pR))
                mstore(add(pTmp, 96), mload(add(pR, 32)))
                if iszero(staticcall(gas(), 6, pTmp, 128, pR, 64)) { fail() }
            }

            let k := proofs.length
            if or(iszero(k), iszero(eq(k, publicSignals.length))) { fail() }
            let proofBytes := mul(k, 256)
            let signalBytes := mul(k, ${n * 32})
            for { let p := proofs.offset } lt(p, add(proofs.offset, proofBytes)) { p := add(p, 32) } {
                if iszero(lt(calldataload(p), q)) { fail() }
            }
            for { let p := publicSignals.offset } lt(p, add(publicSignals.offset, signalBytes)) { p := add(p, 32) } {
                if iszero(lt(calldataload(p), r)) { fail() }
            }

            let pMem := mload(0x40)
            calldatacopy(pMem, proofs.offset, proofBytes)
            calldatacopy(add(pMem, proofBytes), publicSignals.offset, signalBytes)
            let seed := keccak256(pMem, add(proofBytes, signalBytes))

            // Pairs first (k + 3 of 192 bytes), then the sums: c_i (t0), c_i * signal j (tj), c_i C_i, vk_x; then scratch.
            let pPairs := pMem
            let pSums := add(pPairs, mul(add(k, 3), 192))
            let pSumC := add(pSums, ${(n + 1) * 32})
            let pVkSum := add(pSumC, 64)
            let pTmp := add(pVkSum, 64)
            mstore(0x40, add(pTmp, 128))
            for { let j := 0 } lt(j, ${n + 1}) { j := add(j, 1) } { mstore(add(pSums, mul(j, 32)), 0) }

            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                let c := 1
                if i {
                    mstore(0, seed)
                    mstore(32, i)
                    c := add(and(keccak256(0, 64), 0xffffffffffffffffffffffffffffffff), 1)
                }
                let proof := add(proofs.offset, mul(i, 256))
                let signal := add(publicSignals.offset, mul(i, ${n * 32}))
                mstore(pSums, addmod(mload(pSums), c, r))
${lines((j) => `mstore(add(pSums, ${j * 32}), addmod(mload(add(pSums, ${j * 32})), mulmod(c, calldataload(add(signal, ${(j - 1) * 32})), r), r))`, "                ")}

                // -c_i A_i, B_i
                let pair := add(pPairs, mul(i, 192))
                switch i
                case 0 {
                    mstore(pair, calldataload(proof))
                    mstore(add(pair, 32), calldataload(add(proof, 32)))
                    mstore(pSumC, calldataload(add(proof, 192)))
                    mstore(add(pSumC, 32), calldataload(add(proof, 224)))
                }
                default {
                    g1_mul(pair, calldataload(proof), calldataload(add(proof, 32)), c, pTmp)
                    g1_mulAcc(pSumC, calldataload(add(proof, 192)), calldataload(add(proof, 224)), c, pTmp)
                }
                mstore(add(pair, 32), mod(sub(q, mload(add(pair, 32))), q))
                calldatacopy(add(pair, 64), add(proof, 64), 128)
            }

            // vk_x summed: IC0 sum(c_i) + sum over j of ICj sum(c_i signal_ij)
            g1_mul(pVkSum, IC0x, IC0y, mload(pSums), pTmp)
${lines((j) => `g1_mulAcc(pVkSum, IC${j}x, IC${j}y, mload(add(pSums, ${j * 32})), pTmp)`, "            ")}

            let pair := add(pPairs, mul(k, 192))
            g1_mul(pair, alphax, alphay, mload(pSums), pTmp)
${keyPoint("beta", 64)}
            mstore(add(pair, 192), mload(pVkSum))
            mstore(add(pair, 224), mload(add(pVkSum, 32)))
${keyPoint("gamma", 256)}
            mstore(add(pair, 384), mload(pSumC))
            mstore(add(pair, 416), mload(add(pSumC, 32)))
${keyPoint("delta", 448)}

            let success := staticcall(gas(), 8, pPairs, mul(add(k, 3), 192), 0, 0x20)
            mstore(0, and(success, mload(0)))
            return(0, 0x20)
        }
    }
`;
}

/**
 * The batch verifier's Solidity from snarkjs's Groth16 verifier for `vkey`: renamed, marked as
 * generated, and with `verifyProofs` added before the contract's closing brace.
 */
export function renderBatchVerifier(snarkjsSource: string, vkey: { IC?: unknown }): string {
  const closing = snarkjsSource.lastIndexOf("}");
  if (closing < 0 || !/contract Groth16Verifier\b/.test(snarkjsSource)) throw new Error("not a snarkjs Groth16 verifier");
  return [
    "// Generated by circuits/scripts/build-artifacts.ts (or export-verifier.ts) from the batch circuit's",
    "// proving key: snarkjs's Groth16 verifier template, plus verifyProofs from",
    "// circuits/scripts/batch-verifier-source.ts. Do not edit: regenerate.",
    snarkjsSource
      .slice(0, closing)
      .replace(/contract Groth16Verifier\b/, "contract BatchProofVerifier")
      .trimEnd(),
    aggregateVerifierFunction(publicSignalCount(vkey)),
    "}",
    "",
  ].join("\n");
}
