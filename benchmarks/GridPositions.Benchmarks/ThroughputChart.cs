using System.Globalization;
using System.Text;

namespace GridPositions.Benchmarks;

/// <summary>
/// Draws the mixed workload's throughput against threads as an SVG line chart, from the CSV report BenchmarkDotNet
/// writes for <see cref="MixedBenchmarks"/>: one line per slot sharing, and the target (0.8x the 1-thread shared
/// throughput) dashed. The floor rows are returned but not drawn: at ~36M ops/s they would flatten the lines that matter.
/// </summary>
internal static class ThroughputChart
{
    private const int Width = 720, Height = 420, Left = 80, Right = 220, Top = 50, Bottom = 60;
    private static readonly string[] s_colours = ["#1f77b4", "#d62728", "#7fb3e0", "#f4a3a3"];

    /// <summary>Reads <paramref name="csvPath"/>, writes the chart to <paramref name="svgPath"/>, and returns the series it drew.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<(int Threads, double OpsPerSecond)> Points)> Write(string csvPath, string svgPath, string caption)
    {
        string[] lines = File.ReadAllLines(csvPath);
        string[] header = SplitCsv(lines[0]);
        int method = Column(header, "Method"), threads = Column(header, "Threads"), slots = Column(header, "Slots"), ops = Column(header, "Op/s");
        var series = lines.Skip(1).Select(SplitCsv)
            .GroupBy(row => $"{row[method].Trim('\'')}, {row[slots].ToLowerInvariant()} slots")
            .OrderBy(g => g.Key.StartsWith("floor", StringComparison.Ordinal) ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Points: (IReadOnlyList<(int, double)>)g
                .Select(row => (int.Parse(row[threads], CultureInfo.InvariantCulture), double.Parse(row[ops].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)))
                .OrderBy(p => p.Item1).ToList()))
            .ToList();

        var drawn = series.Where(s => !s.Name.StartsWith("floor", StringComparison.Ordinal)).ToList();
        int[] xs = [.. drawn.SelectMany(s => s.Points).Select(p => p.Item1).Distinct().Order()];
        double yMax = NiceCeiling(drawn.SelectMany(s => s.Points).Max(p => p.Item2) / 1e6);
        double? target = drawn.FirstOrDefault(s => s.Name.Contains("shared", StringComparison.Ordinal)).Points?.FirstOrDefault(p => p.Item1 == 1).Item2 * 0.8 / 1e6;
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(int t) => Left + (xs.Length == 1 ? plotWidth / 2 : Array.IndexOf(xs, t) * plotWidth / (xs.Length - 1));
        double Y(double mops) => Top + plotHeight - (mops / yMax * plotHeight);

        CultureInfo inv = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(inv, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(inv, $"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">Mixed workload (80% updates, 20% claims and results): throughput by threads</text>");
        for (int i = 0; i <= 5; i++)
        {
            double mops = yMax * i / 5, y = Y(mops);
            svg.AppendLine(inv, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>");
            svg.AppendLine(inv, $"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{mops:0.#}</text>");
        }

        foreach (int t in xs)
        {
            svg.AppendLine(inv, $"<text x=\"{X(t):F1}\" y=\"{Height - Bottom + 20}\" text-anchor=\"middle\">{t}</text>");
        }

        svg.AppendLine(inv, $"<text x=\"{Left + (plotWidth / 2):F1}\" y=\"{Height - Bottom + 40}\" text-anchor=\"middle\">threads</text>");
        svg.AppendLine(inv, $"<text transform=\"translate(22 {Top + (plotHeight / 2):F1}) rotate(-90)\" text-anchor=\"middle\">million operations per second</text>");
        svg.AppendLine(inv, $"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>");
        svg.AppendLine(inv, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" stroke=\"#333\"/>");
        if (target is { } t0 and > 0)
        {
            svg.AppendLine(inv, $"<line x1=\"{Left}\" y1=\"{Y(t0):F1}\" x2=\"{Width - Right}\" y2=\"{Y(t0):F1}\" stroke=\"#888\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>");
            svg.AppendLine(inv, $"<text x=\"{Width - Right + 15}\" y=\"{Y(t0) + 4:F1}\" fill=\"#555\">target: 0.8x shared, 1 thread</text>");
        }

        for (int s = 0; s < drawn.Count; s++)
        {
            string colour = s_colours[s % s_colours.Length];
            string points = string.Join(' ', drawn[s].Points.Select(p => string.Create(inv, $"{X(p.Item1):F1},{Y(p.Item2 / 1e6):F1}")));
            svg.AppendLine(inv, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"/>");
            foreach ((int t, double value) in drawn[s].Points)
            {
                svg.AppendLine(inv, $"<circle cx=\"{X(t):F1}\" cy=\"{Y(value / 1e6):F1}\" r=\"3.5\" fill=\"{colour}\"/>");
            }

            double legendY = Top + 10 + (s * 22);
            svg.AppendLine(inv, $"<line x1=\"{Width - Right + 15}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>");
            svg.AppendLine(inv, $"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{drawn[s].Name}</text>");
        }

        svg.AppendLine(inv, $"<text x=\"{Width / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">{System.Security.SecurityElement.Escape(caption)}</text>");
        svg.AppendLine("</svg>");
        File.WriteAllText(svgPath, svg.ToString());
        return series;
    }

    private static int Column(string[] header, string name) =>
        Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"The report has no {name} column.");

    /// <summary>Splits one CSV line; BenchmarkDotNet quotes fields that hold commas or quotes.</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    private static double NiceCeiling(double value)
    {
        double step = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return Math.Ceiling(value / step) * step;
    }
}
