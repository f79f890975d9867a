using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace GridPositions.CoyoteTests;

/// <summary>Each scenario explored for the full budget on the real code: no bug may be found.</summary>
public class ScenarioTests(ITestOutputHelper output)
{
    private void AssertNoBug(Func<Task> scenario, [CallerMemberName] string name = "")
    {
        // GRIDPOSITIONS_COYOTE_TRACE=<file> replays a saved trace instead of exploring (run one test with --filter).
        if (Environment.GetEnvironmentVariable(Explorer.TraceVariable) is { Length: > 0 } traceFile)
        {
            Exploration replayed = Explorer.Replay(scenario, File.ReadAllText(traceFile));
            output.WriteLine($"replayed {traceFile}: {replayed}");
            Assert.True(replayed.BugsFound == 0, replayed.ToString());
            return;
        }

        Exploration result = Explorer.Explore(scenario);
        output.WriteLine(result.ToString());
        if (result.BugsFound > 0)
        {
            string saved = Explorer.SaveTrace(name, result.Trace);
            Assert.Fail($"{result}\nThe trace is saved in {saved}; replay it with\n  {Explorer.TraceVariable}={saved} dotnet test tests/GridPositions.CoyoteTests --filter FullyQualifiedName~{name}");
        }

        Assert.Equal((int)Explorer.Iterations, result.Iterations);
    }

    [Fact]
    public void EarlyFill_RacingItsPlaceResult() => AssertNoBug(Scenarios.EarlyFill(duplicates: false));

    [Fact]
    public void EarlyFill_RacingItsPlaceResult_WithDuplicates() => AssertNoBug(Scenarios.EarlyFill(duplicates: true));

    [Fact]
    public void TradeStream_RacingTheOrderStreamAndAReplay() => AssertNoBug(Scenarios.TradeAndOrderStreamsRacing);

    [Fact]
    public void Cancel_RacingAFillOfTheSameOrder() => AssertNoBug(Scenarios.CancelRacingFill);

    [Fact]
    public void PlaceResult_ArrivingAfterTheSlotWasRecycled() => AssertNoBug(Scenarios.ResultAfterSlotRecycled);

    [Fact]
    public void TwoResultBatches_RacingUpdatesForTheSameSlots() => AssertNoBug(Scenarios.TwoBatchesRacingUpdates);

    [Fact]
    public void Snapshots_RacingUpdates() => AssertNoBug(Scenarios.SnapshotRacingUpdates);

    [Fact]
    public void Subscribers_CallingBackIntoTheManager() => AssertNoBug(Scenarios.SubscribersCallingBack);

    [Fact]
    public void ClaimStorm_ExactlyOneWinnerPerSlot() => AssertNoBug(Scenarios.ClaimStorm);

    [Fact]
    public void FastPath_ConflictingIdsAndDuplicates() => AssertNoBug(Scenarios.FastPathConflictsAndDuplicates);

    [Fact]
    public void Events_DeliveredByOneDrainAtATime() => AssertNoBug(Scenarios.EventsOneDrainAtATime);

    [Fact]
    public void Close_VersusClose() => AssertNoBug(PositionScenarios.CloseVersusClose);

    [Fact]
    public void Close_VersusModify() => AssertNoBug(PositionScenarios.CloseVersusModify);

    [Fact]
    public void Close_VersusAFillOfTheRestingCloser() => AssertNoBug(PositionScenarios.CloseVersusFill);

    [Fact]
    public void LeaseExpiry_VersusALateFinisher() => AssertNoBug(PositionScenarios.LeaseExpiryVersusLateFinisher);

    [Fact]
    public void Reconcile_VersusLiveUpdates() => AssertNoBug(PositionScenarios.ReconcileVersusLiveUpdates);

    [Fact]
    public void ReconcileAdoption_VersusAClaimAtTheSameLevel() => AssertNoBug(PositionScenarios.ReconcileAdoptionVersusClaim);

    [Fact]
    public void DeadCloser_ThenARescuerAfterExpiry() => AssertNoBug(PositionScenarios.DeadCloserThenRescuer);

    [Fact]
    public void DeadExecutor_ThenTheClaimTimeoutAndReconciliation() => AssertNoBug(PositionScenarios.DeadExecutorThenTimeout);
}
