using System.Diagnostics;
using GridPositions.CrashTests;
using GridPositions.Wire;
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

    /// <remarks>
    /// Then, as after a real crash, the recovered manager is reconciled against the exchange (the replay's): every claim
    /// the dead process left without a result must end, adopted or freed, and every slot must hold what the exchange
    /// filled for it. Across the runs, some claims must have been caught between their claim and their result.
    /// </remarks>
    [Fact]
    public void KilledAtRandomMoments_TheStoreHoldsExactlyWhatWasAcknowledged_AndEveryClaimLeftEndsThroughReconciliation()
    {
        var random = new Random();
        long claimsLeftByTheDead = 0;
        for (int run = 0; run < Runs; run++)
        {
            int seed = random.Next();
            Durability durability = run % 2 == 0 ? Durability.GroupCommit : Durability.EveryRecord;
            CrashOutcome outcome = CrashAndRecover(seed, durability, fault: null, killAfter: TimeSpan.FromMilliseconds(random.Next(20, 400)));
            output.WriteLine($"run {run}: seed {seed}, {durability}, killed after step {outcome.Acknowledged} acknowledged ({outcome.Verdict}); {outcome.ClaimsLapsed} claims left without a result");
            Assert.True(outcome.Matches, $"seed {seed} ({durability}): {outcome.Verdict}");
            Assert.True(outcome.Acknowledged > 0, $"seed {seed}: the child acknowledged nothing before it was killed");
            Assert.True(outcome.Settled is null, $"seed {seed} ({durability}): after reconciliation {outcome.Settled}");
            claimsLeftByTheDead += outcome.ClaimsLapsed;
        }

        Assert.True(claimsLeftByTheDead > 0, $"no run of {Runs} was killed between a claim and its result");
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

    /// <param name="Acknowledged">The last step the child acknowledged.</param>
    /// <param name="Matches">Whether the recovered state is the replay's after that step (or the one in flight).</param>
    /// <param name="Verdict">What was found.</param>
    /// <param name="ClaimsLapsed">Claims the child left without a result (lapsed at recovery).</param>
    /// <param name="Settled">Null when reconciliation ended every claim and every slot holds the exchange's fills; otherwise what is wrong.</param>
    private sealed record CrashOutcome(int Acknowledged, bool Matches, string Verdict, long ClaimsLapsed = 0, string? Settled = null);

    private static CrashOutcome CrashAndRecover(int seed, Durability durability, string? fault, TimeSpan killAfter)
    {
        using var dir = new StoreDirectory();
        (int acknowledged, int attempted) = RunAndKill(dir.Path, seed, durability, fault, killAfter);

        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(CrashWorkload.Clock.GetUtcNow());
        using FilePositionStore store = FilePositionStore.Open(dir.Path, durability);
        SuperPositionManager recovered = SuperPositionManager.Open(store, CrashWorkload.Options, clock);
        IReadOnlyList<SlotView> actual = recovered.GetSlots();

        // Replay the same workload in memory: the state after the acknowledged steps, and after the one in flight.
        var replay = new SuperPositionManager(CrashWorkload.Options, CrashWorkload.Clock);
        var workload = new CrashWorkload(replay, seed);
        for (int step = 1; step <= acknowledged; step++)
        {
            workload.Step(canCheckpoint: false);
        }

        string verdict;
        PositionManagerSnapshot acknowledgedState = replay.CreateSnapshot();
        if (actual.SequenceEqual(AsRecovered(replay)))
        {
            verdict = "recovered the acknowledged state";
        }
        else if (attempted > acknowledged && Step(workload) && actual.SequenceEqual(AsRecovered(replay)))
        {
            verdict = "recovered the acknowledged state plus the step in flight";
        }
        else if (workload.LastBatch is { } batch && PrefixRecovered(acknowledgedState, batch, actual) is { } prefix)
        {
            // A batch is acknowledged as one, but its records may reach the disk in several writes (one per record
            // with EveryRecord): a crash before the acknowledgement may keep the first of them, as if sent one by one.
            verdict = $"recovered the acknowledged state plus the first {prefix} of the {batch.Count} updates of the batch in flight";
        }
        else
        {
            SlotView? differs = actual.Zip(AsRecovered(replay)).Where(p => p.First != p.Second).Select(p => p.First).FirstOrDefault();
            return new(acknowledged, false, $"recovered state differs from step {acknowledged}: {actual.Count} slots, first differing {differs}");
        }

        // The step in flight may have reached the exchange (an executor's request) though not the manager: take it.
        if (attempted > acknowledged && verdict.EndsWith("acknowledged state", StringComparison.Ordinal))
        {
            Step(workload);
        }

        return new(acknowledged, true, verdict, recovered.Counters.ClaimsLapsed, Settle(recovered, clock, workload));
    }

    /// <summary>How many of the in-flight batch's first updates, applied after <paramref name="acknowledged"/>, give <paramref name="actual"/>; or null.</summary>
    private static int? PrefixRecovered(PositionManagerSnapshot acknowledged, IReadOnlyList<OrderUpdate> batch, IReadOnlyList<SlotView> actual)
    {
        for (int count = 1; count < batch.Count; count++)
        {
            SuperPositionManager partial = SuperPositionManager.Restore(acknowledged, CrashWorkload.Options, CrashWorkload.Clock);
            partial.OnOrderUpdates([.. batch.Take(count)]);
            if (actual.SequenceEqual(AsRecovered(partial)))
            {
                return count;
            }
        }

        return null;
    }

    private static bool Step(CrashWorkload workload)
    {
        workload.Step(canCheckpoint: false);
        return true;
    }

    /// <summary>The replay's slots as recovery leaves them: claims with no result lapse (on a copy; the replay goes on).</summary>
    private static IReadOnlyList<SlotView> AsRecovered(SuperPositionManager replay)
    {
        SuperPositionManager copy = SuperPositionManager.Restore(replay.CreateSnapshot(), CrashWorkload.Options, CrashWorkload.Clock);
        copy.Claims.LapseAtRecovery();
        return copy.GetSlots();
    }

    /// <summary>Reconciles the recovered manager against the exchange after the grace period; null if every claim ended and the books match.</summary>
    private static string? Settle(SuperPositionManager recovered, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, CrashWorkload exchange)
    {
        clock.Advance(CrashWorkload.Options.AmbiguousPlaceGracePeriod + TimeSpan.FromSeconds(1));
        ReconciliationTicket ticket = recovered.BeginReconciliation();
        recovered.Reconcile(ticket, exchange.Exchange(clock.GetUtcNow()));
        if (recovered.GetSlots().FirstOrDefault(s => s.Status is SlotStatus.PendingPlace or SlotStatus.PendingCancel or SlotStatus.Unknown) is { } stuck)
        {
            return $"slot {stuck.Price} is still {stuck.Status}";
        }

        foreach ((decimal price, decimal filled) in exchange.ExchangeInventory())
        {
            decimal held = recovered.GetSlot(price)?.Inventory ?? 0m;
            if (held != filled)
            {
                return $"slot {price} holds {held}, the exchange filled {filled} for it";
            }
        }

        InvariantCheckResult check = recovered.CheckInvariants();
        return check.Holds ? null : check.Violation;
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
