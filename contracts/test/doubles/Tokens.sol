// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title MockPayoutToken
/// @notice Plain ERC-20 with configurable decimals and open minting: the well-behaved token every
///         suite pays in (rental rent, maintenance budgets, income payouts). Tests only.
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
/// @notice Burns `feeBps` of every transfer (mints and burns are exempt); 1 % by default. Escrows must
///         notice the shortfall by balance difference, the distributor must credit what arrived.
///         `setFeeBps(0)` turns it into a plain token (a token that starts charging later).
contract FeeOnTransferToken is ERC20 {
    /// @notice The fee, in basis points of each transfer, burnt in transit.
    uint16 public feeBps = 100;

    /// @notice Creates the token.
    constructor() ERC20("Fee On Transfer", "FOT") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the fee (anyone, tests only); 0 turns it off.
    /// @param bps Basis points burnt on each transfer.
    function setFeeBps(uint16 bps) external {
        feeBps = bps;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (feeBps != 0 && from != address(0) && to != address(0)) {
            uint256 fee = (value * feeBps) / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @title BlocklistToken
/// @notice ERC-20 with 6 decimals that refuses transfers to blocklisted addresses (like USDC/USDT);
///         with `setBlocksSenders(true)` it also refuses transfers from them.
contract BlocklistToken is ERC20 {
    /// @notice Whether an address is blocklisted.
    mapping(address => bool) public blocked;
    /// @notice Whether a blocklisted sender is refused too (by default only receivers are).
    bool public blocksSenders;

    /// @notice The sender or receiver is blocklisted.
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

    /// @notice Makes the blocklist refuse senders too (anyone, tests only).
    /// @param on Whether blocklisted senders are refused.
    function setBlocksSenders(bool on) external {
        blocksSenders = on;
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocksSenders && blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @notice The hook {ReentrantToken-setHookTarget} calls (see ReentrancyAttacker).
interface ITokenReceivedHook {
    /// @notice Called on the receiver after a transfer to it.
    function onTokenReceived() external;
}

/// @title ReentrantToken
/// @notice ERC-20 with a transfer hook (like ERC-777's) that runs one armed call in the middle of a
///         transfer, to re-enter whoever is moving the tokens. `arm` selects the transfers that fire it
///         (from a watched sender and/or to a watched receiver, `address(0)` = any; mints never fire),
///         the call (target and calldata) and whether it fires once or on every matching transfer.
///         The call's outcome is recorded, never bubbled. The token can also act as a party (`exec`).
contract ReentrantToken is ERC20 {
    /// @notice Transfers out of this address fire the hook (`address(0)`: any sender).
    address public watchFrom;
    /// @notice Transfers to this address fire the hook (`address(0)`: any receiver).
    address public watchTo;
    /// @notice Target of the armed call (`address(0)`: disarmed).
    address public hookTarget;
    /// @notice Calldata of the armed call.
    bytes public payload;
    /// @notice Whether the hook disarms after firing once (not named `once`: ethers contracts have a `once`).
    bool public fireOnce;
    /// @notice Number of armed calls made.
    uint256 public calls;
    /// @notice Number of armed calls that succeeded.
    uint256 public successes;
    /// @notice Whether the last armed call succeeded.
    bool public lastCallSucceeded;
    /// @notice Revert data of the last armed call that failed.
    bytes public lastRevert;
    bool private _entered;

    /// @notice Creates the token.
    constructor() ERC20("Reentrant", "REE") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook (anyone, tests only).
    /// @param watchFrom_ Sender whose transfers fire it (`address(0)`: any).
    /// @param watchTo_ Receiver whose transfers fire it (`address(0)`: any).
    /// @param target_ Call target (`address(0)` disarms).
    /// @param payload_ Calldata.
    /// @param fireOnce_ Whether to disarm after the first call.
    function arm(
        address watchFrom_,
        address watchTo_,
        address target_,
        bytes calldata payload_,
        bool fireOnce_
    ) external {
        watchFrom = watchFrom_;
        watchTo = watchTo_;
        hookTarget = target_;
        payload = payload_;
        fireOnce = fireOnce_;
    }

    /// @notice Shortcut: on every transfer to `target_`, call `target_.onTokenReceived()`.
    /// @param target_ The notified contract.
    function setHookTarget(address target_) external {
        watchFrom = address(0);
        watchTo = target_;
        hookTarget = target_;
        payload = abi.encodeCall(ITokenReceivedHook.onTokenReceived, ());
        fireOnce = false;
    }

    /// @notice Runs any call as this token contract (to make it a payer or claimant), bubbling reverts.
    /// @param to Call target.
    /// @param data Calldata.
    /// @return result Its return data.
    function exec(address to, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address t = hookTarget;
        if (t == address(0) || _entered || from == address(0)) return;
        if (watchFrom != address(0) && from != watchFrom) return;
        if (watchTo != address(0) && to != watchTo) return;
        if (fireOnce) hookTarget = address(0);
        _entered = true;
        ++calls;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = t.call(payload);
        lastCallSucceeded = ok;
        if (ok) ++successes;
        else lastRevert = ret;
        _entered = false;
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
        uint256 units = _ceilDiv(value * ONE, index);
        if (_units[from] < units) revert Insufficient();
        _units[from] -= units;
        _units[to] += units;
        emit Transfer(from, to, value);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
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
