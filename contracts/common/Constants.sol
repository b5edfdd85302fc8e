// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Plinth's shared constants, in one file: basis points, limits, signature
// malleability bounds and the dispute module's ruling values.
// File-level constants cost nothing at run time (they are inlined) and every contract reads the same value.

/// @dev One whole in basis points (100%).
uint256 constant BPS = 10_000;
/// @dev The highest protocol fee a fee-taking contract (income distributor, rental escrow) may set: 10%.
uint256 constant MAX_FEE_BPS = 1_000;
/// @dev The highest share of income the distributor may route to an asset's maintenance reserve: 50%.
uint256 constant MAX_RESERVE_CAP_BPS = 5_000;

// Signature malleability bounds: the largest `s` accepted (half the curve's order; a higher `s` is the same
// signature mirrored).

/// @dev Half the order of secp256k1.
uint256 constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
/// @dev Half the order of P-256 (secp256r1), also inside WebAuthn assertions.
uint256 constant P256_HALF_N = 0x7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8;

// Rulings of the dispute module (ERC-792 style, two choices).

/// @dev The arbiter refused to arbitrate: the dispute's default ruling applies.
uint256 constant RULING_REFUSED = 0;
/// @dev The claim stands (maintenance: the provider's milestone claim counts).
uint256 constant RULING_FOR_CLAIMANT = 1;
/// @dev The challenge stands (maintenance: the payer side's challenge; the claim is rejected).
uint256 constant RULING_FOR_CHALLENGER = 2;
/// @dev The number of choices (the highest valid ruling).
uint256 constant RULING_CHOICES = 2;
