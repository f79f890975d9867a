using Google.Protobuf;
using GridPositions.Wire;

namespace GridPositions.Tests;

/// <summary>
/// Issue 11, item 10: a damaged snapshot is refused with an <see cref="ArgumentException"/> naming the field's path,
/// never a <see cref="NullReferenceException"/>, a <see cref="FormatException"/> or a value quietly defaulted.
/// </summary>
public class RestoreValidationTests
{
    /// <summary>A snapshot with every kind of part: a round trip, a live order, a pending claim, a parked update, retired ids.</summary>
    private static (PositionManagerSnapshot Snapshot, PositionManagerOptions Options) Rich()
    {
        var grid = new TestGrid();
        grid.OpenFilled(100m);
        OrderAction close = grid.ClaimClose(100m, 101m);
        grid.Update(close, grid.Place(close), OrderStatus.Filled, 1m);
        OrderAction live = grid.ClaimOpen(99m, 2m);
        grid.Update(live, grid.Place(live), OrderStatus.PartiallyFilled, 1m);
        grid.ClaimOpen(98m);
        grid.Manager.ModifyTargets(new ModifyRequest(99m, 90m, 110m, "test"));
        Assert.Equal(InputDisposition.Parked, grid.Manager.OnOrderUpdate(new OrderUpdate { OrderId = "EARLY", Status = OrderStatus.New }));
        PositionManagerSnapshot snapshot = grid.Manager.CreateSnapshot();
        Assert.NotEmpty(snapshot.RetiredIds);
        return (snapshot, grid.Options);
    }

    /// <summary>Each damage with the whole message it must give: the field's path, then what is wrong with it.</summary>
    public static TheoryData<string, string> Damages => new()
    {
        { "parked update missing", "snapshot.ParkedUpdates[0].Update is missing." },
        { "parked time missing", "snapshot.ParkedUpdates[0].ParkedAt is missing." },
        { "parked update without ids", "snapshot.ParkedUpdates[0].Update An order update needs an OrderId or a ClientOrderId." },
        { "order quantity missing", "snapshot.Slots[1].Order.Quantity is missing." },
        { "order quantity zero", "snapshot.Slots[1].Order.Quantity must be positive." },
        { "order price missing", "snapshot.Slots[1].Order.Price is missing." },
        { "order price zero", "snapshot.Slots[1].Order.Price is 0; a price is positive and at most 1,000,000,000,000,000." },
        { "order price negative", "snapshot.Slots[1].Order.Price is -1; a price is positive and at most 1,000,000,000,000,000." },
        { "order price beyond the bound", "snapshot.Slots[1].Order.Price is 1000000000000000.01; a price is positive and at most 1,000,000,000,000,000." },
        { "order client id blank", "snapshot.Slots[1].Order.ClientOrderId is missing or blank." },
        { "order client id missing", "snapshot.Slots[1].Order.ClientOrderId is missing or blank." },
        { "order id blank", "snapshot.Slots[1].Order.OrderId is blank." },
        { "order side unknown", "snapshot.Slots[1].Order.Side is 7, not one of Buy to Sell." },
        { "order role unknown", "snapshot.Slots[1].Order.Role is 9, not one of Open to Close." },
        { "order token zero", "snapshot.Slots[1].Order.ClaimToken is 0; a claimed order has a positive token." },
        { "order filled negative", "snapshot.Slots[1].Order.FilledQuantity is -1; it cannot be negative." },
        { "order notional negative", "snapshot.Slots[1].Order.FilledQuote is -1; it cannot be negative." },
        { "order missing for a live slot", "snapshot.Slots[1].Order is missing, but the slot's status is Live." },
        { "slot price missing", "snapshot.Slots[0].Price is missing." },
        { "slot status unknown", "snapshot.Slots[2].Status is 42, not one of Free to Unknown." },
        { "slot leverage below one", "snapshot.Slots[2].Leverage is 0; a leverage is at least 1." },
        { "negative counter", "snapshot.Counters[ClaimsAccepted] is -1; it cannot be negative." },
        { "bad decimal scale", "snapshot.Slots[2].Inventory DecimalValue scale 29 is above the maximum of 28.." },
        { "inventory beyond the bound", "snapshot.Slots[2].Inventory the amount 7900000000000000000000000000 is beyond the bound of 1,000,000,000,000,000 in magnitude." },
        { "negative inventory", "snapshot.Slots[2].Inventory is -1; it cannot be negative." },
        { "negative entry notional", "snapshot.Slots[1].EntryNotional is -1; it cannot be negative." },
        { "target change without time", "snapshot.Slots[1].TargetHistory[0].At is missing." },
        { "retired id blank", "snapshot.RetiredIds[0].Id is missing or blank." },
        { "retired id missing", "snapshot.RetiredIds[0].Id is missing or blank." },
        { "negative version", "snapshot.Slots[0].Version is -3; it cannot be negative." },
        { "last order status unknown", "snapshot.Slots[2].LastOrder.Status is 99, not one of Unspecified to Expired." },
        { "last order client id missing", "snapshot.Slots[2].LastOrder.ClientOrderId is missing or blank." },
        { "last order filled negative", "snapshot.Slots[2].LastOrder.FilledQuantity is -1; it cannot be negative." },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Item10_ADamagedSnapshot_IsRefused_NamingTheFieldsPathAndWhatIsWrong(string damage, string expected)
    {
        (PositionManagerSnapshot snapshot, PositionManagerOptions options) = Rich();
        InventorySlot atLevel(decimal price) => snapshot.Slots.Single(s => s.Price.ToDecimal() == price);
        Assert.Equal([98m, 99m, 100m], snapshot.Slots.Select(s => s.Price.ToDecimal())); // Slots[0] 98 pending, [1] 99 live, [2] 100 done
        switch (damage)
        {
            case "parked update missing": snapshot.ParkedUpdates[0].Update = null; break;
            case "parked time missing": snapshot.ParkedUpdates[0].ParkedAt = null; break;
            case "parked update without ids": snapshot.ParkedUpdates[0].Update.OrderId = ""; break;
            case "order quantity missing": atLevel(99m).Order.Quantity = null; break;
            case "order quantity zero": atLevel(99m).Order.Quantity = 0m.ToWire(); break;
            case "order price missing": atLevel(99m).Order.Price = null; break;
            case "order price zero": atLevel(99m).Order.Price = 0m.ToWire(); break;
            case "order price negative": atLevel(99m).Order.Price = (-1m).ToWire(); break;
            case "order price beyond the bound": atLevel(99m).Order.Price = (SuperPositionManager.MaxAmount + 0.01m).ToWire(); break;
            case "order client id blank": atLevel(99m).Order.ClientOrderId = "  "; break;
            case "order client id missing": atLevel(99m).Order.ClientOrderId = ""; break;
            case "order id blank": atLevel(99m).Order.OrderId = " "; break;
            case "order side unknown": atLevel(99m).Order.Side = (OrderSide)7; break;
            case "order role unknown": atLevel(99m).Order.Role = (OrderRole)9; break;
            case "order token zero": atLevel(99m).Order.ClaimToken = 0; break;
            case "order filled negative": atLevel(99m).Order.FilledQuantity = (-1m).ToWire(); break;
            case "order notional negative": atLevel(99m).Order.FilledQuote = (-1m).ToWire(); break;
            case "order missing for a live slot": atLevel(99m).Order = null; break;
            case "slot price missing": atLevel(98m).Price = null; break;
            case "slot status unknown": atLevel(100m).Status = (SlotStatus)42; break;
            case "slot leverage below one": atLevel(100m).Leverage = 0; break;
            case "negative counter": snapshot.Counters.Values["ClaimsAccepted"] = -1; break;
            case "bad decimal scale": atLevel(100m).Inventory = new DecimalValue { Low64 = 1, Scale = 29 }; break;
            case "inventory beyond the bound": atLevel(100m).Inventory = 7.9e27m.ToWire(); break;
            case "negative inventory": atLevel(100m).Inventory = (-1m).ToWire(); break;
            case "negative entry notional": atLevel(99m).EntryNotional = (-1m).ToWire(); break;
            case "target change without time": atLevel(99m).TargetHistory[0].At = null; break;
            case "retired id blank": snapshot.RetiredIds[0].Id = " "; break;
            case "retired id missing": snapshot.RetiredIds[0].Id = ""; break;
            case "negative version": atLevel(98m).Version = -3; break;
            case "last order status unknown": atLevel(100m).LastOrder.Status = (OrderStatus)99; break;
            case "last order client id missing": atLevel(100m).LastOrder.ClientOrderId = ""; break;
            case "last order filled negative": atLevel(100m).LastOrder.FilledQuantity = (-1m).ToWire(); break;
            default: throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }

        var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, options));

        Assert.Equal(expected + " (Parameter 'snapshot')", error.Message);
    }

    /// <summary>Fields that may be negative (costs, fees, rebates) or absent (an optional target) restore as they are.</summary>
    [Fact]
    public void Item10_NegativeCostsAndFeesAndAnAbsentStopLoss_AreNotDamage()
    {
        (PositionManagerSnapshot snapshot, PositionManagerOptions options) = Rich();
        InventorySlot live = snapshot.Slots.Single(s => s.Price.ToDecimal() == 99m);
        live.EntryFees = (-0.05m).ToWire(); // a maker rebate
        live.Order.FilledFee = (-0.05m).ToWire();
        live.TargetHistory[0].StopLoss = null;
        live.Leverage = 1;
        snapshot.ParkedUpdates[0].Update.CumulativeFilledQuantity = null;
        SuperPositionManager restored = SuperPositionManager.Restore(snapshot, options);
        Assert.Equal(-0.05m, restored.GetSlot(99m)!.EntryFees);
        Assert.Null(restored.GetTargetHistory(99m)[0].StopLoss);
    }

    /// <summary>Every message of the rich snapshot that the validation walks, with the path it names it by.</summary>
    private static IEnumerable<(IMessage Message, string Path)> Parts(PositionManagerSnapshot s)
    {
        yield return (s, "snapshot");
        yield return (s.Slots[1], "snapshot.Slots[1]");              // 99: a live order with targets
        yield return (s.Slots[2], "snapshot.Slots[2]");              // 100: a finished round trip
        yield return (s.Slots[1].Order, "snapshot.Slots[1].Order");
        yield return (s.Slots[2].LastOrder, "snapshot.Slots[2].LastOrder");
        yield return (s.Slots[1].TargetHistory[0], "snapshot.Slots[1].TargetHistory[0]");
        yield return (s.ParkedUpdates[0].Update, "snapshot.ParkedUpdates[0].Update");
        yield return (s.RetiredIds[0], "snapshot.RetiredIds[0]");
    }

    /// <summary>
    /// The whole class by reflection: every decimal field given an impossible scale, every id made blank and every
    /// counter or token made negative, one at a time, is refused naming that very field.
    /// </summary>
    [Fact]
    public void Item10_EveryDecimalIdAndCounterField_WhenDamaged_IsRefusedNamingItsOwnPath()
    {
        var checkedFields = new List<string>();
        (PositionManagerSnapshot template, PositionManagerOptions options) = Rich();
        int parts = Parts(template).Count();
        for (int part = 0; part < parts; part++)
        {
            foreach (Google.Protobuf.Reflection.FieldDescriptor field in Parts(template).ElementAt(part).Message.Descriptor.Fields.InDeclarationOrder())
            {
                object? damage = field.FieldType switch
                {
                    _ when field.IsRepeated || field.IsMap => null,
                    Google.Protobuf.Reflection.FieldType.Message when field.MessageType == DecimalValue.Descriptor => new DecimalValue { Low64 = 1, Scale = 29 },
                    Google.Protobuf.Reflection.FieldType.String when field.Name.EndsWith("id", StringComparison.Ordinal) => " ",
                    Google.Protobuf.Reflection.FieldType.Int64 => -1L,
                    _ => null,
                };
                if (damage is null)
                {
                    continue;
                }

                PositionManagerSnapshot snapshot = template.Clone();
                (IMessage message, string path) = Parts(snapshot).ElementAt(part);
                field.Accessor.SetValue(message, damage);
                string fieldPath = $"{path}.{field.PropertyName}";
                var error = Assert.Throws<ArgumentException>("snapshot", () => SuperPositionManager.Restore(snapshot, options));
                Assert.True(error.Message.StartsWith(fieldPath + " ", StringComparison.Ordinal), $"{fieldPath} damaged ({damage}): {error.Message}");
                checkedFields.Add(fieldPath);
            }
        }

        Assert.True(checkedFields.Count > 40, string.Join(", ", checkedFields));
    }

    [Theory]
    [InlineData("snapshot.TickSize")]
    [InlineData("snapshot.QuantityStep")]
    [InlineData("snapshot.Slots[2].RealizedPnl")]
    [InlineData("snapshot.Slots[1].StopLoss")]
    [InlineData("snapshot.Slots[1].Order.FilledQuantity")]
    [InlineData("snapshot.Slots[2].LastOrder.FilledQuantity")]
    [InlineData("snapshot.Slots[1].TargetHistory[0].TakeProfit")]
    [InlineData("snapshot.ParkedUpdates[0].Update.CumulativeFee")]
    public void Item10_AnAbsentOptionalDecimal_IsZero_NotMissing(string path)
    {
        (PositionManagerSnapshot snapshot, PositionManagerOptions options) = Rich();
        string owner = path[..path.LastIndexOf('.')];
        string name = path[(path.LastIndexOf('.') + 1)..];
        IMessage message = Parts(snapshot).Single(p => p.Path == owner).Message;
        message.Descriptor.Fields.InDeclarationOrder().Single(f => f.PropertyName == name).Accessor.SetValue(message, null);

        try
        {
            SuperPositionManager.Restore(snapshot, options);
        }
        catch (ArgumentException e)
        {
            Assert.DoesNotContain(path + " is missing", e.Message, StringComparison.Ordinal); // an invariant may still object
        }
    }

    [Fact]
    public void Item10_TheUndamagedSnapshot_Restores()
    {
        (PositionManagerSnapshot snapshot, PositionManagerOptions options) = Rich();

        Assert.True(SuperPositionManager.Restore(snapshot, options).CheckInvariants().Holds);
    }

    /// <summary>
    /// The whole class at once: flip bytes of a serialized snapshot at random. Whatever still parses either restores
    /// into a manager whose invariants hold and whose reads work, or is refused with an ArgumentException; nothing else.
    /// </summary>
    [Fact]
    public void Item10_RandomlyDamagedSnapshots_RestoreWhole_OrAreRefusedWithAnArgumentException()
    {
        (PositionManagerSnapshot snapshot, PositionManagerOptions options) = Rich();
        byte[] bytes = snapshot.ToByteArray();
        var random = new Random(20261201);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 5_000; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            for (int flips = 1 + random.Next(3); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            }

            PositionManagerSnapshot candidate;
            try
            {
                candidate = PositionManagerSnapshot.Parser.ParseFrom(damaged);
            }
            catch (InvalidProtocolBufferException)
            {
                continue; // the store's CRC and the parser catch these before Restore ever sees them
            }

            parsed++;
            try
            {
                SuperPositionManager restored = SuperPositionManager.Restore(candidate, options);
                Assert.True(restored.CheckInvariants().Holds);
                restored.GetTotals();
                restored.GetSlots();
                restored.CreateSnapshot();
            }
            catch (ArgumentException)
            {
                refused++;
            }
        }

        Assert.True(parsed > 1000 && refused > 100, $"{parsed} parsed, {refused} refused: the damage did not exercise validation");
    }
}
