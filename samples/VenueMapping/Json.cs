using System.Globalization;
using System.Text.Json;

namespace GridPositions.Venues;

/// <summary>Reading the venues' JSON: amounts arrive as strings ("0.00100000") and are parsed as decimals, never doubles.</summary>
internal static class Json
{
    public static string Text(this JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(), // ids such as Binance's "i": 4293153, kept digit for digit
            JsonValueKind.Null => "",
            _ => throw new FormatException($"'{name}' is {v.ValueKind}, not a string or a number."),
        }
        : throw new FormatException($"'{name}' is missing.");

    public static string? OptionalText(this JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? e.Text(name) : null;

    /// <summary>An amount: a JSON string or number read exactly as decimal; "" is zero (Bybit leaves unused amounts empty).</summary>
    public static decimal Amount(this JsonElement e, string name)
    {
        string text = e.Text(name);
        return text.Length == 0 ? 0m : decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>An amount that may be left out (or null), which is zero: Binance omits a commission that was not charged.</summary>
    public static decimal OptionalAmount(this JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? e.Amount(name) : 0m;

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
