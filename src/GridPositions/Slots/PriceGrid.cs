namespace GridPositions.Slots;

/// <summary>Exact conversions between prices and integer tick keys, and the quantity-step rule.</summary>
internal readonly struct PriceGrid
{
    private static readonly ulong[] s_powersOfTen = [.. Enumerable.Range(0, 20).Select(i => (ulong)Math.Pow(10, i))];

    /// <summary>For scales 0 to 4: the largest coefficient of a price within the bound (10^15 x 10^scale).</summary>
    private static readonly ulong[] s_maxCoefficients = [.. Enumerable.Range(0, 5).Select(i => (ulong)Fills.Amounts.Max * s_powersOfTen[i])];

    /// <summary>When the tick size is 10^-n (1, 0.1, 0.01...): n, so keys are exact integer arithmetic; otherwise -1.</summary>
    private readonly int _tickDecimals;

    public PriceGrid(decimal tickSize, decimal quantityStep)
    {
        TickSize = tickSize;
        QuantityStep = quantityStep;
        _tickDecimals = Parts(tickSize, out ulong mantissa, out int scale) && mantissa == 1 ? scale : -1;
    }

    public decimal TickSize { get; }

    public decimal QuantityStep { get; }

    /// <summary>The tick key of <paramref name="price"/>: 100, 100.0 and 100.00 all give the same key.</summary>
    public bool TryGetTicks(decimal price, out long ticks)
    {
        ticks = 0;

        // Fast path: the price's coefficient rescaled to the tick's decimals, with no decimal division.
        if (_tickDecimals >= 0 && Parts(price, out ulong coefficient, out int scale))
        {
            // Zero, or beyond the bound: coefficient / 10^scale > 10^15 (for scale 5 and up a 64-bit coefficient never is).
            if (coefficient == 0 || (scale < 5 && coefficient > s_maxCoefficients[scale]))
            {
                return false;
            }

            int shift = _tickDecimals - scale;
            if (shift >= 0 && shift < s_powersOfTen.Length)
            {
                ulong factor = s_powersOfTen[shift];
                if (coefficient > (ulong)long.MaxValue / factor)
                {
                    return false; // beyond a 64-bit key
                }

                ticks = (long)(coefficient * factor);
                return true;
            }

            if (shift < 0 && -shift < s_powersOfTen.Length)
            {
                ulong divisor = s_powersOfTen[-shift];
                if (coefficient % divisor != 0 || coefficient / divisor > long.MaxValue)
                {
                    return false;
                }

                ticks = (long)(coefficient / divisor);
                return true;
            }
        }

        return TryGetTicksSlow(price, out ticks);
    }

    /// <summary>The reference: decimal division, for every price the fast path declines (tests compare the two).</summary>
    internal bool TryGetTicksSlow(decimal price, out long ticks)
    {
        ticks = 0;
        if (price <= 0 || price > Fills.Amounts.Max)
        {
            return false;
        }

        try
        {
            // A tiny tick with a large price overflows the division (or the remainder's rescaling): off the grid.
            if (price % TickSize != 0)
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
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>A non-negative decimal whose coefficient fits 64 bits, as coefficient and scale.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool Parts(decimal value, out ulong coefficient, out int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        coefficient = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        scale = (bits[3] >> 16) & 0xFF;
        return bits[2] == 0 && bits[3] >= 0;
    }

    public long GetTicks(decimal price, string paramName)
    {
        if (!TryGetTicks(price, out long ticks))
        {
            throw new ArgumentException(DescribeBadPrice(price), paramName);
        }

        return ticks;
    }

    public string DescribeBadPrice(decimal price) => price <= 0 ? $"price must be positive; got {price}"
        : price > Fills.Amounts.Max ? Fills.Amounts.Describe("price", price)
        : $"price {price} is not on the tick grid (tick size {TickSize}) or beyond a 64-bit tick key";

    /// <summary>Positive, within the bound and a whole multiple of the quantity step.</summary>
    public bool IsValidQuantity(decimal quantity) => quantity > 0 && quantity <= Fills.Amounts.Max && IsOnStep(quantity);

    /// <summary>Whether <paramref name="quantity"/> is a whole multiple of the step (false if the remainder overflows).</summary>
    public bool IsOnStep(decimal quantity)
    {
        try
        {
            return quantity % QuantityStep == 0;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public string DescribeBadQuantity(decimal quantity) => quantity <= 0 ? $"quantity must be positive; got {quantity}"
        : quantity > Fills.Amounts.Max ? Fills.Amounts.Describe("quantity", quantity)
        : $"quantity {quantity} is not a multiple of the quantity step {QuantityStep}";

    /// <summary>The canonical price of a key (its scale is the tick size's).</summary>
    public decimal ToPrice(long ticks) => ticks * TickSize;
}
