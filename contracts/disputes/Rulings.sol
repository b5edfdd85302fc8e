// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// The ruling values of Plinth's dispute module (ERC-792 style, two choices), as file-level constants.

/// @dev The arbiter refused to arbitrate: the dispute's default ruling applies.
uint256 constant RULING_REFUSED = 0;
/// @dev The claim stands (maintenance: the provider's milestone claim counts).
uint256 constant RULING_FOR_CLAIMANT = 1;
/// @dev The challenge stands (maintenance: the payer side's challenge; the claim is rejected).
uint256 constant RULING_FOR_CHALLENGER = 2;
/// @dev The number of choices (the highest valid ruling).
uint256 constant RULING_CHOICES = 2;
