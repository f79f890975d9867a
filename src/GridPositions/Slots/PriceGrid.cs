namespace GridPositions.Slots;

/// <summary>Exact conversions between prices and integer tick keys, and the quantity-step rule.</summary>
internal readonly struct PriceGrid
{
    public PriceGrid(decimal tickSize, decimal quantityStep)
    {
        TickSize = tickSize;
        QuantityStep = quantityStep;
    }

    public decimal TickSize { get; }

    public decimal QuantityStep { get; }

    /// <summary>The tick key of <paramref name="price"/>: 100, 100.0 and 100.00 all give the same key.</summary>
    public bool TryGetTicks(decimal price, out long ticks)
    {
        ticks = 0;
        if (price <= 0 || price % TickSize != 0)
        {
            return false;
        }

        decimal quotient = price / TickSize;
        if (quotient > long.MaxValue)
        {
            return false;
        }

        ticks = (long)quotient;
        return true;
    }

    public long GetTicks(decimal price, string paramName)
    {
        if (!TryGetTicks(price, out long ticks))
        {
            throw new ArgumentException(DescribeBadPrice(price), paramName);
        }

        return ticks;
    }

    public string DescribeBadPrice(decimal price) => price <= 0
        ? $"price must be positive; got {price}"
        : $"price {price} is not on the tick grid (tick size {TickSize})";

    public bool IsValidQuantity(decimal quantity) => quantity > 0 && quantity % QuantityStep == 0;

    public string DescribeBadQuantity(decimal quantity) => quantity <= 0
        ? $"quantity must be positive; got {quantity}"
        : $"quantity {quantity} is not a multiple of the quantity step {QuantityStep}";

    /// <summary>The canonical price of a key (its scale is the tick size's).</summary>
    public decimal ToPrice(long ticks) => ticks * TickSize;
}
