using System.Diagnostics;
using GridPositions.CrashTests;
using Xunit.Abstractions;

namespace GridPositions.Tests.Persistence;

/// <summary>
/// A child process drives a random workload on a file store and is killed with SIGKILL at a random moment; the store
/// is reopened and must hold exactly the state after the steps the child acknowledged (or one more: the step in
/// flight when it died may or may not have reached the disk). Nothing acknowledged lost, nothing doubled.
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    /// <summary>Kills per test: 20 by default, more with this environment variable.</summary>
    private const string RunsVariable = "GRIDPOSITIONS_CRASH_RUNS";

    private static int Runs => int.TryParse(Environment.GetEnvironmentVariable(RunsVariable), out int n) && n > 0 ? n : 20;

    [Fact]
    public void KilledAtRandomMoments_TheStoreHoldsExactlyWhatWasAcknowledged()
    {
        var random = new Random();
        for (int run = 0; run < Runs; run++)
        {
            int seed = random.Next();
            Durability durability = run % 2 == 0 ? Durability.GroupCommit : Durability.EveryRecord;
            CrashOutcome outcome = CrashAndRecover(seed, durability, fault: null, killAfter: TimeSpan.FromMilliseconds(random.Next(20, 400)));
            output.WriteLine($"run {run}: seed {seed}, {durability}, killed after step {outcome.Acknowledged} acknowledged ({outcome.Verdict})");
            Assert.True(outcome.Matches, $"seed {seed} ({durability}): {outcome.Verdict}");
            Assert.True(outcome.Acknowledged > 0, $"seed {seed}: the child acknowledged nothing before it was killed");
        }
    }

    /// <summary>The same test against a child whose journal acknowledges before writing (it writes only at checkpoints, which this child never takes).</summary>
    [Fact]
    public void TheCrashTest_CatchesAcknowledgementsMadeBeforeTheFlush()
    {
        var random = new Random();
        int caught = 0;
        for (int run = 0; run < Runs && caught == 0; run++)
        {
            int seed = random.Next();
            CrashOutcome outcome = CrashAndRecover(seed, Durability.GroupCommit, fault: "AckBeforeFlush", killAfter: TimeSpan.FromMilliseconds(random.Next(20, 400)));
            output.WriteLine($"run {run}: seed {seed}, killed after step {outcome.Acknowledged} acknowledged ({outcome.Verdict})");
            caught += outcome.Matches ? 0 : 1;
        }

        Assert.True(caught > 0, $"{Runs} kills of a child that acknowledges before flushing found nothing lost");
    }

    private sealed record CrashOutcome(int Acknowledged, bool Matches, string Verdict);

    private static CrashOutcome CrashAndRecover(int seed, Durability durability, string? fault, TimeSpan killAfter)
    {
        using var dir = new StoreDirectory();
        (int acknowledged, int attempted) = RunAndKill(dir.Path, seed, durability, fault, killAfter);

        using FilePositionStore store = FilePositionStore.Open(dir.Path, durability);
        SuperPositionManager recovered = SuperPositionManager.Open(store, CrashWorkload.Options, CrashWorkload.Clock);
        IReadOnlyList<SlotView> actual = recovered.GetSlots();

        // Replay the same workload in memory: the state after the acknowledged steps, and after the one in flight.
        var replay = new SuperPositionManager(CrashWorkload.Options, CrashWorkload.Clock);
        var workload = new CrashWorkload(replay, seed);
        for (int step = 1; step <= acknowledged; step++)
        {
            workload.Step(canCheckpoint: false);
        }

        if (actual.SequenceEqual(replay.GetSlots()))
        {
            return new(acknowledged, true, "recovered the acknowledged state");
        }

        if (attempted > acknowledged)
        {
            workload.Step(canCheckpoint: false);
            if (actual.SequenceEqual(replay.GetSlots()))
            {
                return new(acknowledged, true, "recovered the acknowledged state plus the step in flight");
            }
        }

        SlotView? differs = actual.Zip(replay.GetSlots()).Where(p => p.First != p.Second).Select(p => p.First).FirstOrDefault();
        return new(acknowledged, false, $"recovered state differs from step {acknowledged}: {actual.Count} slots, first differing {differs}");
    }

    /// <summary>Starts the worker, lets it run, kills it with SIGKILL; returns the last acknowledged and last started steps.</summary>
    private static (int Acknowledged, int Attempted) RunAndKill(string directory, int seed, Durability durability, string? fault, TimeSpan killAfter)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { WorkerPath(), directory, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), durability.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        if (fault is not null)
        {
            start.ArgumentList.Add(fault);
        }

        int acknowledged = 0, attempted = 0;
        using var ready = new ManualResetEvent(false);
        using Process worker = Process.Start(start)!;

        // A dedicated thread reads the child's lines as they come (the thread pool may be busy with other tests).
        var reader = new Thread(() =>
        {
            while (worker.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("A ", StringComparison.Ordinal))
                {
                    Volatile.Write(ref acknowledged, int.Parse(line.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture));
                    ready.Set(); // the clock to the kill starts once the child has acknowledged something
                }
                else if (line.StartsWith("I ", StringComparison.Ordinal))
                {
                    Volatile.Write(ref attempted, int.Parse(line.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            ready.Set();
        }) { IsBackground = true };
        reader.Start();
        if (!ready.WaitOne(TimeSpan.FromSeconds(60)) || worker.HasExited)
        {
            worker.Kill(entireProcessTree: true);
            Assert.Fail("the worker acknowledged nothing: " + worker.StandardError.ReadToEnd()); // read only now: it waits for the child to end
        }

        Thread.Sleep(killAfter);
        worker.Kill(entireProcessTree: true); // SIGKILL on Unix: no finally blocks, no flushes
        worker.WaitForExit();
        reader.Join(); // every line the child wrote before it died has been read
        return (Volatile.Read(ref acknowledged), Volatile.Read(ref attempted));
    }

    /// <summary>The worker built beside these tests: tests/GridPositions.CrashWorker/bin/{configuration}/{framework}/.</summary>
    private static string WorkerPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = here.Name, configuration = here.Parent!.Name;
        DirectoryInfo tests = here.Parent.Parent!.Parent!.Parent!;
        string path = Path.Combine(tests.FullName, "GridPositions.CrashWorker", "bin", configuration, framework, "GridPositions.CrashWorker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the crash worker is missing.", path);
    }
}
