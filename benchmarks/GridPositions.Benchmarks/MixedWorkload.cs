namespace GridPositions.Benchmarks;

/// <summary>
/// One thread's share of the mixed workload: about 80% order updates and 20% claims and place results. Each order
/// goes claim, place result, partial fills, then a terminal update: opening orders are cancelled after 7 partial fills
/// (the slot keeps 7), closing orders then sell those 7 (6 partials, then FILLED), and the slot starts over.
/// </summary>
public sealed class MixedWorkload
{
    private const decimal OpenQuantity = 100m, Kept = 7m;
    private readonly SuperPositionManager _manager;
    private readonly decimal[] _levels;
    private readonly string _prefix;
    private readonly ResultOutcome[] _outcome = new ResultOutcome[1];
    private readonly OrderActionResult[] _result = new OrderActionResult[1];
    private int _level;
    private int _phase;
    private OrderAction _action;
    private string _orderId = "";
    private decimal _filled;
    private long _orders;

    public MixedWorkload(SuperPositionManager manager, decimal[] levels, string prefix)
    {
        _manager = manager;
        _levels = levels;
        _prefix = prefix;
    }

    /// <summary>The kind of the next operation (for latency accounting).</summary>
    public OperationKind Next => _phase switch { 0 => OperationKind.Claim, 1 => OperationKind.Result, _ => OperationKind.Update };

    /// <summary>Runs one manager call.</summary>
    public void Step()
    {
        switch (_phase)
        {
            case 0:
                ClaimNext();
                break;
            case 1:
                _result[0] = OrderActionResult.Placed(_action, _orderId);
                _manager.ApplyActionResults(_result, _outcome);
                _phase = 2;
                break;
            default:
                Update();
                break;
        }
    }

    private void ClaimNext()
    {
        decimal price = _levels[_level];
        SlotView? slot = _manager.GetSlot(price);
        ClaimRequest request = slot is { Inventory: > 0 }
            ? ClaimRequest.Place(price, OrderSide.Sell, price + 1, slot.Inventory)
            : ClaimRequest.Place(price, OrderSide.Buy, price, OpenQuantity);
        ClaimResult claim = _manager.ClaimSlot(request);
        if (!claim.IsAccepted)
        {
            _level = (_level + 1) % _levels.Length; // another thread holds it: try the next level
            return;
        }

        _action = claim.Action;
        _orderId = _prefix + ++_orders;
        _filled = 0m;
        _phase = 1;
    }

    private void Update()
    {
        bool opening = _action.Side == OrderSide.Buy;
        decimal target = opening ? Kept : _action.Quantity;
        _filled++;
        OrderStatus status = _filled < target ? OrderStatus.PartiallyFilled : opening ? OrderStatus.Canceled : OrderStatus.Filled;
        _manager.OnOrderUpdate(new OrderUpdate { OrderId = _orderId, Status = status, CumulativeFilledQuantity = _filled });
        if (status != OrderStatus.PartiallyFilled)
        {
            _phase = 0;
            _level = (_level + 1) % _levels.Length;
        }
    }
}

/// <summary>What a manager call does.</summary>
public enum OperationKind
{
    Claim,
    Result,
    Update,
}
