using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace GridPositions.Stress;

/// <summary>Managed stacks of this process's threads, read from a snapshot of the process with ClrMD.</summary>
internal static class StackCapture
{
    /// <summary>The stacks of the threads with the given managed ids, or why they could not be read.</summary>
    public static string Describe(IReadOnlyDictionary<int, string> threadNames, int maxFrames = 24)
    {
        try
        {
            var text = new StringBuilder();
            using DataTarget target = DataTarget.CreateSnapshotAndAttach(Environment.ProcessId);
            // ClrMD looks for a DAC matching the runtime by build id and can miss it; the runtime's own directory holds it.
            string dac = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), DacFileName());
            using ClrRuntime runtime = target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
            foreach (ClrThread thread in runtime.Threads)
            {
                if (!threadNames.TryGetValue(thread.ManagedThreadId, out string? name))
                {
                    continue;
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"  {name} (managed thread {thread.ManagedThreadId}):");
                foreach (ClrStackFrame frame in thread.EnumerateStackTrace().Where(f => f.Method is not null).Take(maxFrames))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    at {frame}");
                }
            }

            return text.ToString();
        }
        catch (Exception e) when (e is ClrDiagnosticsException or InvalidOperationException or IOException or UnauthorizedAccessException or NotSupportedException or PlatformNotSupportedException)
        {
            return $"  (stacks unavailable: {e.GetType().Name}: {e.Message})";
        }
    }

    private static string DacFileName() =>
        OperatingSystem.IsWindows() ? "mscordaccore.dll" : OperatingSystem.IsMacOS() ? "libmscordaccore.dylib" : "libmscordaccore.so";
}
