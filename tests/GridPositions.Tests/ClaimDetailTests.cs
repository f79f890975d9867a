namespace GridPositions.Tests;

/// <summary>Every refusal of a claim says what it found, in words a user can act on.</summary>
public class ClaimDetailTests
{
    public static TheoryData<string, ClaimRejection, string> Refusals => new()
    {
        { "a place at a busy slot", ClaimRejection.SlotBusy, "slot 100.00 is busy (PendingPlace) with order" },
        { "an opening place at a slot that holds", ClaimRejection.PositionAlreadyOpen, "slot 101.00 already holds 1; only a closing order is allowed" },
        { "an oversold close", ClaimRejection.WouldOversell, "closing 2 would oversell slot 101.00, which holds 1" },
        { "a cancel with no order", ClaimRejection.NothingToCancel, "slot 101.00 has no order to cancel" },
        { "a cancel at no slot", ClaimRejection.NothingToCancel, "there is no slot at 105" },
        { "a cancel of a pending place", ClaimRejection.SlotBusy, "order gp" },
        { "a second cancel", ClaimRejection.SlotBusy, "already has a cancel in flight for order" },
        { "a claim on a leased position", ClaimRejection.PositionLeased, "slot 103.00's position is being closed under lease" },
        { "a reused client id", ClaimRejection.Invalid, "client order id mine is already in use" },
        { "an unknown type", ClaimRejection.Invalid, "Type must be Place or Cancel" },
        { "an unknown side", ClaimRejection.Invalid, "Side must be Buy or Sell" },
        { "a blank client id", ClaimRejection.Invalid, "ClientOrderId must be null (generated) or not blank" },
        { "leverage on a close", ClaimRejection.Invalid, "Leverage applies only to an opening order" },
        { "leverage out of range", ClaimRejection.Invalid, "Leverage must be within 1..125; got 126" },
        { "a stop-loss fraction on a close", ClaimRejection.Invalid, "StopLossFraction applies only to an opening order" },
        { "a stop-loss fraction out of range", ClaimRejection.Invalid, "StopLossFraction must be strictly between 0 and 1; got 1" },
        { "an off-step close", ClaimRejection.Invalid, "a close off the step must be for exactly the 1 the slot holds" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ARefusedClaim_SaysWhatItFound(string what, ClaimRejection rejection, string detail)
    {
        var grid = new TestGrid();
        grid.ClaimOpen(100m);                                   // 100: a place in flight
        grid.OpenFilled(101m);                                  // 101: holds 1, no order
        OrderAction live = grid.ClaimOpen(102m, 2m);            // 102: a live order
        grid.Place(live);
        grid.OpenFilled(103m);                                  // 103: held under a close lease
        grid.Manager.BeginClose(new CloseRequest(103m));
        grid.Claim(ClaimRequest.Place(104m, grid.Opening, 104m, 1m, "mine"));
        if (what == "a second cancel")
        {
            grid.Claim(ClaimRequest.Cancel(102m));
        }

        ClaimRequest request = what switch
        {
            "a place at a busy slot" => ClaimRequest.Place(100m, grid.Opening, 100m, 1m),
            "an opening place at a slot that holds" => ClaimRequest.Place(101m, grid.Opening, 101m, 1m),
            "an oversold close" => ClaimRequest.Place(101m, grid.Closing, 102m, 2m),
            "a cancel with no order" => ClaimRequest.Cancel(101m),
            "a cancel at no slot" => ClaimRequest.Cancel(105m),
            "a cancel of a pending place" => ClaimRequest.Cancel(100m),
            "a second cancel" => ClaimRequest.Cancel(102m),
            "a claim on a leased position" => ClaimRequest.Place(103m, grid.Closing, 104m, 1m),
            "a reused client id" => ClaimRequest.Place(106m, grid.Opening, 106m, 1m, "mine"),
            "an unknown type" => ClaimRequest.Place(106m, grid.Opening, 106m, 1m) with { Type = (OrderActionType)9 },
            "an unknown side" => ClaimRequest.Place(106m, (OrderSide)9, 106m, 1m),
            "a blank client id" => ClaimRequest.Place(106m, grid.Opening, 106m, 1m, " "),
            "leverage on a close" => ClaimRequest.Place(101m, grid.Closing, 102m, 1m) with { Leverage = 2 },
            "leverage out of range" => ClaimRequest.Place(106m, grid.Opening, 106m, 1m) with { Leverage = 126 },
            "a stop-loss fraction on a close" => ClaimRequest.Place(101m, grid.Closing, 102m, 1m) with { StopLossFraction = 0.1m },
            "a stop-loss fraction out of range" => ClaimRequest.Place(106m, grid.Opening, 106m, 1m) with { StopLossFraction = 1m },
            "an off-step close" => ClaimRequest.Place(101m, grid.Closing, 102m, 0.0005m),
            _ => throw new ArgumentOutOfRangeException(nameof(what), what, null),
        };

        ClaimResult result = grid.Manager.ClaimSlot(request);

        Assert.Equal(rejection, result.Rejection);
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(grid.Manager.GetSlots(), s => s.Price == 106m);
    }
}
