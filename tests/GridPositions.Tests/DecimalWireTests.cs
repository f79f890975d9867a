using CsCheck;
using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Tests;

public class DecimalWireTests
{
    /// <summary>Every decimal: any 96-bit coefficient, any scale 0..28, either sign (negative zero included).</summary>
    private static readonly Gen<decimal> s_anyDecimal =
        Gen.Select(Gen.Int, Gen.Int, Gen.Int, Gen.Bool, Gen.Byte[0, 28], (lo, mid, hi, negative, scale) => new decimal(lo, mid, hi, negative, scale));

    [Fact]
    public void ToWire_ThenBack_IsBitForBitIdentical_ForEveryDecimal()
    {
        s_anyDecimal.Sample(value =>
        {
            DecimalValue wire = value.ToWire();
            decimal back = DecimalValue.Parser.ParseFrom(wire.ToByteArray()).ToDecimal();
            Assert.Equal(decimal.GetBits(value), decimal.GetBits(back));
        }, iter: 20_000);
    }

    [Theory]
    [InlineData("100.00")]
    [InlineData("100")]
    [InlineData("-0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    public void ToWire_KeepsScaleAndExtremes(string text)
    {
        decimal value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        decimal back = value.ToWire().ToDecimal();
        Assert.Equal(text, back.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ToDecimal_ScaleAbove28_IsRefused()
    {
        var wire = new DecimalValue { Low64 = 1, Scale = 29 };
        Assert.Throws<FormatException>(() => wire.ToDecimal());
    }

    [Fact]
    public void ToDecimal_AbsentMessage_IsZero() => Assert.Equal(0m, ((DecimalValue?)null).ToDecimal());
}
