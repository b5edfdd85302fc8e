// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IAssetVault} from "../interfaces/IAssetVault.sol";
import {vaultAddress} from "../custody/AssetVaults.sol";
import {IRentalCustody} from "./IRentalCustody.sol";

/// @title RentalCustody
/// @notice Where the rental part's money sits, and who may take it out. Each custody id's funds (the rented
///         asset, the asset a rented device is bound to, else the device) are in that id's AssetVault clone
///         (deployed by the income distributor, CREATE2, salt = custodyId, with the id's first money in any part;
///         shared with the distributor and the maintenance custody), so rentals on different assets never write
///         the same storage slot, token balances included; this contract keeps no global counter.
///         RentalEscrow (its deployer, the only caller of `fund`, `credit` and `payIncome`)
///         moves renters' payments in and credits every amount out: refunds, returned deposits, device owners'
///         rent and protocol fees are claimable balances per (party, custody, token), pulled with `withdraw`;
///         the owner side's rent and damages of assets are handed to the income distributor in the same vault
///         (`depositHeld`: accounting, no transfer), or deferred
///         (`pendingIncome`) while it refuses, until anyone's `flushIncome`. Nothing is pushed to a party.
///         Every entry that moves money or credits is re-entrancy guarded: while a payout runs, no path of the
///         rental part can credit or pay anything.
contract RentalCustody is IRentalCustody, ReentrancyGuardTransient, IERC165 {
    /// @inheritdoc IRentalCustody
    address public immutable escrow;
    /// @inheritdoc IRentalCustody
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IRentalCustody
    IIncomeDistributor public immutable distributor;

    /// @inheritdoc IRentalCustody
    mapping(address party => mapping(uint256 custodyId => mapping(address token => uint256))) public claimable;
    /// @inheritdoc IRentalCustody
    mapping(uint256 assetId => mapping(address token => uint256)) public pendingIncome;

    /// @dev Deployed by RentalEscrow's constructor (its first creation), which becomes `escrow`.
    /// @param assetRegistry_ The asset registry.
    /// @param distributor_ The income distributor.
    constructor(IAssetRegistry assetRegistry_, IIncomeDistributor distributor_) {
        escrow = msg.sender;
        assetRegistry = assetRegistry_;
        distributor = distributor_;
    }

    modifier onlyEscrow() {
        if (msg.sender != escrow) revert NotEscrow(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ money in and accounting (escrow only)

    /// @inheritdoc IRentalCustody
    function fund(uint256 custodyId) external payable onlyEscrow nonReentrant {
        Address.sendValue(payable(vaultOf(custodyId)), msg.value);
    }

    /// @inheritdoc IRentalCustody
    function credit(address party, uint256 custodyId, address token, uint256 amount) external onlyEscrow nonReentrant {
        claimable[party][custodyId][token] += amount;
        emit Credited(party, custodyId, token, amount);
    }

    /// @inheritdoc IRentalCustody
    function payIncome(uint256 assetId, address token, uint256 amount) external onlyEscrow nonReentrant {
        _depositIncome(assetId, token, amount);
    }

    // ------------------------------------------------------------------ money out (anyone, for themselves)

    /// @inheritdoc IRentalCustody
    function withdraw(uint256 custodyId, address token) external nonReentrant {
        _withdraw(custodyId, token, msg.sender);
    }

    /// @inheritdoc IRentalCustody
    function withdrawTo(uint256 custodyId, address token, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _withdraw(custodyId, token, to);
    }

    /// @inheritdoc IRentalCustody
    function flushIncome(uint256 assetId, address token) external nonReentrant {
        uint256 amount = pendingIncome[assetId][token];
        if (amount == 0) revert NothingToWithdraw();
        pendingIncome[assetId][token] = 0;
        if (distributor.incomeClosed(assetId)) {
            address agent = assetRegistry.agentOf(assetId);
            emit IncomeRedirected(assetId, token, agent, amount);
            claimable[agent][assetId][token] += amount;
            emit Credited(agent, assetId, token, amount);
        } else {
            _depositIncome(assetId, token, amount);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRentalCustody
    function vaultOf(uint256 custodyId) public view returns (address) {
        return vaultAddress(address(distributor), custodyId);
    }

    /// @notice ERC-165: IRentalCustody and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this contract implements it.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IRentalCustody).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Pays the balance from the custody's vault (a failed ETH payment reverts with the vault's
    ///      `EthTransferFailed(to, amount)`).
    function _withdraw(uint256 custodyId, address token, address to) private {
        uint256 amount = claimable[msg.sender][custodyId][token];
        if (amount == 0) revert NothingToWithdraw();
        claimable[msg.sender][custodyId][token] = 0;
        emit Withdrawn(msg.sender, custodyId, token, to, amount);
        IAssetVault(vaultOf(custodyId)).pay(token, to, amount);
    }

    /// @dev Hands `amount`, held in the asset's shared vault, to the distributor as income (no transfer); a refusal
    ///      keeps it here as deferred income instead of blocking the agreement.
    function _depositIncome(uint256 assetId, address token, uint256 amount) private {
        try distributor.depositHeld(assetId, token, amount) {
            emit IncomeDeposited(assetId, token, amount);
        } catch {
            pendingIncome[assetId][token] += amount;
            emit IncomeDeferred(assetId, token, amount);
        }
    }
}
