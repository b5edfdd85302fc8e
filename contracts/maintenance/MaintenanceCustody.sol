// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IAssetVault} from "../interfaces/IAssetVault.sol";
import {assetVaultsOf, vaultAddress} from "../custody/AssetVaults.sol";
import {IMaintenanceCustody} from "./IMaintenanceCustody.sol";

/// @title MaintenanceCustody
/// @notice Where the maintenance part's money sits, and who may take it out. Each asset's funds are in
///         that asset's AssetVault clone, shared with the income distributor (which deploys it: CREATE2, salt =
///         assetId) and the rental custody, so work on different assets never writes the same storage slot,
///         token balances included, and the reserve moves to and from the distributor without a transfer.
///         MaintenanceOrders (its deployer, the only caller of `fund`, `credit` and `creditReserve`) moves
///         budgets and bonds in and credits every amount out: provider payments, returned bonds, refunds
///         and bonds slashed to the payer are claimable balances per (party, asset, token), pulled with
///         `claim`; refunds of reserve-funded orders and bonds slashed to the reserve are held per
///         (asset, token) as reserve credit, spent first by the asset's next reserve-funded order or
///         deposited back through the income distributor by anyone (`returnToReserve`). Nothing is pushed.
///         Every entry is re-entrancy guarded, credits included: while a payout or a pull is running, no
///         path of the part (an order ending, a milestone released) can credit anything.
contract MaintenanceCustody is IMaintenanceCustody, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IMaintenanceCustody
    address public immutable orders;
    /// @inheritdoc IMaintenanceCustody
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IMaintenanceCustody
    IIncomeDistributor public immutable distributor;

    /// @inheritdoc IMaintenanceCustody
    mapping(address party => mapping(uint256 assetId => mapping(address token => uint256))) public claimable;
    /// @inheritdoc IMaintenanceCustody
    mapping(uint256 assetId => mapping(address token => uint256)) public reserveCredit;

    /// @dev Deployed by MaintenanceOrders' constructor, which becomes `orders`.
    /// @param assetRegistry_ The asset registry.
    /// @param distributor_ The income distributor, which must grant this contract RESERVE_SPENDER_ROLE.
    constructor(IAssetRegistry assetRegistry_, IIncomeDistributor distributor_) {
        orders = msg.sender;
        assetRegistry = assetRegistry_;
        distributor = distributor_;
    }

    modifier onlyOrders() {
        if (msg.sender != orders) revert NotOrders(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ money in (MaintenanceOrders)

    /// @inheritdoc IMaintenanceCustody
    function fund(
        uint256 assetId,
        address token,
        address from,
        uint256 amount,
        bool fromReserve
    ) external onlyOrders nonReentrant {
        if (fromReserve) {
            uint256 held = reserveCredit[assetId][token];
            uint256 used = held < amount ? held : amount;
            if (used != 0) {
                reserveCredit[assetId][token] = held - used;
                emit ReserveCreditUsed(assetId, token, used);
                amount -= used;
                if (amount == 0) return;
            }
        }
        address vault = vaultOf(assetId);
        if (vault.code.length == 0) assetVaultsOf(address(distributor)).createVault(assetId);
        // The reserve is already in the shared vault: the distributor stops counting it and this contract starts.
        if (fromReserve) {
            distributor.withdrawReserve(assetId, token, amount, vault);
            return;
        }
        IERC20 t = IERC20(token);
        uint256 before = t.balanceOf(vault);
        t.safeTransferFrom(from, vault, amount);
        // Exact: the vault is shared, so another controller may have paid into or out of it meanwhile.
        uint256 balance = t.balanceOf(vault);
        if (balance != before + amount) revert FundingShortfall(amount, balance > before ? balance - before : 0);
    }

    /// @inheritdoc IMaintenanceCustody
    function credit(address party, uint256 assetId, address token, uint256 amount) external onlyOrders nonReentrant {
        claimable[party][assetId][token] += amount;
        emit Credited(party, assetId, token, amount);
    }

    /// @inheritdoc IMaintenanceCustody
    function creditReserve(uint256 assetId, address token, uint256 amount) external onlyOrders nonReentrant {
        reserveCredit[assetId][token] += amount;
        emit ReserveCredited(assetId, token, amount);
    }

    // ------------------------------------------------------------------ money out (anyone, for themselves)

    /// @inheritdoc IMaintenanceCustody
    function claim(uint256 assetId, address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = claimable[msg.sender][assetId][token];
        if (amount == 0) revert NothingToClaim();
        claimable[msg.sender][assetId][token] = 0;
        emit Claimed(msg.sender, assetId, token, to, amount);
        IAssetVault(vaultOf(assetId)).pay(token, to, amount);
    }

    /// @inheritdoc IMaintenanceCustody
    function returnToReserve(uint256 assetId, address token) external nonReentrant returns (uint256 amount) {
        amount = reserveCredit[assetId][token];
        if (amount == 0) revert NothingToClaim();
        reserveCredit[assetId][token] = 0;
        emit ReserveReturned(assetId, token, amount);
        if (assetRegistry.statusOf(assetId) == IAssetRegistry.AssetStatus.Retired) {
            address agent = assetRegistry.agentOf(assetId);
            claimable[agent][assetId][token] += amount;
            emit Credited(agent, assetId, token, amount);
            return amount;
        }
        distributor.depositHeld(assetId, token, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMaintenanceCustody
    function vaultOf(uint256 assetId) public view returns (address) {
        return vaultAddress(address(distributor), assetId);
    }
}
