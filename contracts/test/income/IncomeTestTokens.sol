// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title MockPayoutToken
/// @notice Plain ERC-20 with configurable decimals and open minting (tests only).
contract MockPayoutToken is ERC20 {
    uint8 private immutable _decimals;

    /// @notice Creates the token.
    /// @param name_ Name.
    /// @param symbol_ Symbol.
    /// @param decimals_ Decimals (18, 6...).
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}

/// @title FeeOnTransferToken
/// @notice Burns 1 % of every transfer (hostile payout token for tests).
contract FeeOnTransferToken is ERC20 {
    /// @notice Creates the token.
    constructor() ERC20("Fee On Transfer", "FOT") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            super._update(from, to, value - fee);
        } else {
            super._update(from, to, value);
        }
    }
}

/// @title BlocklistToken
/// @notice ERC-20 that refuses transfers to blocklisted addresses (like USDC/USDT).
contract BlocklistToken is ERC20 {
    /// @notice Whether an address is blocklisted.
    mapping(address => bool) public blocked;

    /// @notice The receiver is blocklisted.
    error Blocked(address account);

    /// @notice Creates the token.
    constructor() ERC20("Blocklist USD", "BUSD") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocklists or unblocks `account` (anyone, tests only).
    /// @param account The account.
    /// @param isBlocked Whether it is blocked.
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @title RebasingToken
/// @notice Balances are internal units times a global index that `rebase` changes (like stETH/AMPL).
contract RebasingToken is IERC20 {
    uint256 private constant ONE = 1e18;
    /// @notice Current index (1e18 = 1).
    uint256 public index = ONE;
    mapping(address => uint256) private _units;
    mapping(address => mapping(address => uint256)) private _allowances;
    uint256 private _totalUnits;

    /// @notice Not enough balance or allowance.
    error Insufficient();

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        uint256 units = (amount * ONE) / index;
        _units[to] += units;
        _totalUnits += units;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Sets the index: every balance scales by newIndex / oldIndex.
    /// @param newIndex The new index.
    function rebase(uint256 newIndex) external {
        index = newIndex;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return (_totalUnits * index) / ONE;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) public view returns (uint256) {
        return (_units[account] * index) / ONE;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed < value) revert Insufficient();
        _allowances[from][msg.sender] = allowed - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        uint256 units = Math_ceilDiv(value * ONE, index);
        if (_units[from] < units) revert Insufficient();
        _units[from] -= units;
        _units[to] += units;
        emit Transfer(from, to, value);
    }

    function Math_ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}

/// @title ReentrantToken
/// @notice ERC-20 that, on every transfer to `target`, calls `target.onTokenReceived()` (like an
///         ERC-777 receive hook), letting an attacker re-enter the payer.
contract ReentrantToken is ERC20 {
    /// @notice Contract notified on transfers it receives.
    address public hookTarget;

    /// @notice Creates the token.
    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the notified contract (anyone, tests only).
    /// @param target_ The contract.
    function setHookTarget(address target_) external {
        hookTarget = target_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to == hookTarget && hookTarget != address(0) && from != address(0)) {
            ReentrancyAttacker(payable(hookTarget)).onTokenReceived();
        }
    }
}

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

/// @title RevertingReceiver
/// @notice Refuses ETH; can act as a holder that claims (to itself or elsewhere).
contract RevertingReceiver {
    /// @notice Always refuses.
    error NoEthPlease();

    /// @notice Claims through the distributor.
    /// @param distributor The distributor.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param to Receiver.
    function claim(IDistributorForAttack distributor, uint256 assetId, address token, address to) external {
        distributor.claim(assetId, token, to);
    }

    receive() external payable {
        revert NoEthPlease();
    }
}

/// @title LyingToken
/// @notice Reports success on transferFrom but moves nothing (hostile payout token for tests).
contract LyingToken is ERC20 {
    /// @notice Creates the token.
    constructor() ERC20("Lying", "LIE") {}

    /// @inheritdoc ERC20
    function transferFrom(address, address, uint256) public pure override returns (bool) {
        return true;
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
