using GridPositions.Diagnostics;
using Xunit.Abstractions;

namespace GridPositions.CoyoteTests;

/// <summary>
/// The suite proves it has teeth: each known bug, switched on in the real code paths (see FaultInjection), must be
/// found by a scenario within the normal budget, and the trace Coyote prints must replay it.
/// </summary>
public class TeethTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Bugs => new()
    {
        { nameof(Fault.LockOrderInversion), nameof(Scenarios.CancelRacingFill) },
        { nameof(Fault.LockOrderInversion), nameof(Scenarios.TwoBatchesRacingUpdates) },
        { nameof(Fault.SplitClaimCheck), nameof(Scenarios.ClaimStorm) },
        { nameof(Fault.NoTokenRevalidation), nameof(Scenarios.ResultAfterSlotRecycled) },
        { nameof(Fault.DropEarlyUpdates), nameof(Scenarios.EarlyFill) },
        { nameof(Fault.ParkWithoutRecheck), nameof(Scenarios.EarlyFill) },
        { nameof(Fault.FillByStatus), nameof(Scenarios.EarlyFill) },
        { nameof(Fault.FillByStatus), nameof(Scenarios.CancelRacingFill) },
        { nameof(Fault.CallbackUnderLock), nameof(Scenarios.SubscribersCallingBack) },
        { nameof(Fault.UnlockedCloseCheck), nameof(PositionScenarios.CloseVersusClose) },
        { nameof(Fault.UnlockedCloseCheck), nameof(PositionScenarios.CloseVersusModify) },
        { nameof(Fault.NoFencing), nameof(PositionScenarios.LeaseExpiryVersusLateFinisher) },
        { nameof(Fault.ReconcileIgnoresDeferral), nameof(PositionScenarios.ReconcileVersusLiveUpdates) },
        { nameof(Fault.LeaseClaimsOutliveLease), nameof(PositionScenarios.DeadCloserThenRescuer) },
        { nameof(Fault.NoClaimTimeout), nameof(PositionScenarios.DeadExecutorThenTimeout) },
        { nameof(Fault.UnlockedDuplicateShortcut), nameof(Scenarios.FastPathConflictsAndDuplicates) },
        { nameof(Fault.ConcurrentDrains), nameof(Scenarios.EventsOneDrainAtATime) },
        { nameof(Fault.TradeDedupBeforeLock), nameof(Scenarios.TradeAndOrderStreamsRacing) },
    };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void InjectedBug_IsFoundWithinTheBudget_AndItsTraceReplays(string fault, string scenario)
    {
        Func<Task> body = scenario switch
        {
            nameof(Scenarios.CancelRacingFill) => Scenarios.CancelRacingFill,
            nameof(Scenarios.TwoBatchesRacingUpdates) => Scenarios.TwoBatchesRacingUpdates,
            nameof(Scenarios.ClaimStorm) => Scenarios.ClaimStorm,
            nameof(Scenarios.ResultAfterSlotRecycled) => Scenarios.ResultAfterSlotRecycled,
            nameof(Scenarios.EarlyFill) => Scenarios.EarlyFill(duplicates: false),
            nameof(Scenarios.SubscribersCallingBack) => Scenarios.SubscribersCallingBack,
            nameof(Scenarios.FastPathConflictsAndDuplicates) => Scenarios.FastPathConflictsAndDuplicates,
            nameof(Scenarios.EventsOneDrainAtATime) => Scenarios.EventsOneDrainAtATime,
            nameof(Scenarios.TradeAndOrderStreamsRacing) => Scenarios.TradeAndOrderStreamsRacing,
            nameof(PositionScenarios.CloseVersusClose) => PositionScenarios.CloseVersusClose,
            nameof(PositionScenarios.CloseVersusModify) => PositionScenarios.CloseVersusModify,
            nameof(PositionScenarios.LeaseExpiryVersusLateFinisher) => PositionScenarios.LeaseExpiryVersusLateFinisher,
            nameof(PositionScenarios.ReconcileVersusLiveUpdates) => PositionScenarios.ReconcileVersusLiveUpdates,
            nameof(PositionScenarios.DeadCloserThenRescuer) => PositionScenarios.DeadCloserThenRescuer,
            nameof(PositionScenarios.DeadExecutorThenTimeout) => PositionScenarios.DeadExecutorThenTimeout,
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
        };

        FaultInjection.Active = Enum.Parse<Fault>(fault);
        try
        {
            Exploration found = Explorer.Explore(body);
            output.WriteLine($"{fault} in {scenario}: {found}");
            Assert.True(found.BugsFound > 0, $"{scenario} did not find {fault} in {Explorer.Iterations} iterations");

            Exploration replayed = Explorer.Replay(body, found.Trace);
            Assert.True(replayed.BugsFound > 0, $"the trace of {fault} did not replay");
            Assert.Equal(found.FirstBug, replayed.FirstBug);
        }
        finally
        {
            FaultInjection.Active = Fault.None;
        }
    }
}
