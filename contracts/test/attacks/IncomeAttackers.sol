// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The slice of the distributor the attacker uses.
interface IDistributorForAttack {
    function claim(uint256 assetId, address token, address to) external returns (uint256);
    function redeem(uint256 assetId, address to) external returns (uint256);
}

/// @title ReentrancyAttacker
/// @notice A share holder that tries to claim again from inside the payment (token hook or ETH
///         receive). Records whether the nested claim was refused.
contract ReentrancyAttacker {
    IDistributorForAttack public immutable distributor;
    uint256 public assetId;
    address public token;
    /// @notice Nested attempts made.
    uint256 public attempts;
    /// @notice Nested attempts that succeeded (must stay 0).
    uint256 public successes;
    /// @notice Revert data of the last refused nested attempt.
    bytes public lastError;

    /// @notice Creates the attacker.
    /// @param distributor_ The distributor.
    constructor(IDistributorForAttack distributor_) {
        distributor = distributor_;
    }

    /// @notice Claims once; the payment re-enters.
    /// @param assetId_ The asset.
    /// @param token_ The payout token.
    function attack(uint256 assetId_, address token_) external {
        assetId = assetId_;
        token = token_;
        distributor.claim(assetId_, token_, address(this));
    }

    /// @notice Token hook: re-enter.
    function onTokenReceived() external {
        _reenter();
    }

    receive() external payable {
        _reenter();
    }

    function _reenter() private {
        if (attempts > 0) return;
        attempts++;
        try distributor.claim(assetId, token, address(this)) {
            successes++;
        } catch (bytes memory err) {
            lastError = err;
        }
    }
}

/// @notice The slice of an income vault the raider uses.
interface IIncomeVaultForAttack {
    function pay(address token, address to, uint256 amount) external;
}

/// @title IncomeVaultRaider
/// @notice A share holder that, while its ETH claim is being paid by the asset's income vault,
///         tries to drain the vault directly and to claim again through the distributor. Records
///         the revert data of both attempts (both must fail).
contract IncomeVaultRaider {
    IDistributorForAttack public immutable distributor;
    IIncomeVaultForAttack public immutable vault;
    uint256 public assetId;
    /// @notice Nested attempts that succeeded (must stay 0).
    uint256 public successes;
    /// @notice Revert data of the direct call to the vault's pay.
    bytes public vaultError;
    /// @notice Revert data of the nested claim.
    bytes public claimError;

    /// @notice Creates the raider.
    /// @param distributor_ The distributor.
    /// @param vault_ The income vault of the asset it holds shares of.
    constructor(IDistributorForAttack distributor_, IIncomeVaultForAttack vault_) {
        distributor = distributor_;
        vault = vault_;
    }

    /// @notice Claims its ETH income once; the payment re-enters.
    /// @param assetId_ The asset.
    function attack(uint256 assetId_) external {
        assetId = assetId_;
        distributor.claim(assetId_, address(0), address(this));
    }

    receive() external payable {
        _raid();
    }

    function _raid() private {
        if (vaultError.length != 0 || claimError.length != 0) return;
        try vault.pay(address(0), address(this), address(vault).balance) {
            successes++;
        } catch (bytes memory err) {
            vaultError = err;
        }
        try distributor.claim(assetId, address(0), address(this)) {
            successes++;
        } catch (bytes memory err) {
            claimError = err;
        }
    }
}
