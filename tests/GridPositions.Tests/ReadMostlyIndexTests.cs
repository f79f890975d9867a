using GridPositions.Routing;
using GridPositions.Slots;

namespace GridPositions.Tests;

public class ReadMostlyIndexTests
{
    [Fact]
    public void BehavesAsAMap_ThroughGrowthAndRemovals()
    {
        var index = new ReadMostlyIndex();
        var slots = Enumerable.Range(0, 1000).Select(i => new Slot(i, i)).ToArray();
        var model = new Dictionary<string, Slot>();
        var random = new Random(7);
        for (int step = 0; step < 20_000; step++)
        {
            string key = "K" + random.Next(600);
            Slot slot = slots[random.Next(slots.Length)];
            if (random.Next(3) == 0)
            {
                bool removes = model.TryGetValue(key, out Slot? current) && ReferenceEquals(current, slot);
                Assert.Equal(removes, index.TryRemove(key, slot));
                if (removes)
                {
                    model.Remove(key);
                }
            }
            else
            {
                Assert.Equal(model.TryAdd(key, slot), index.TryAdd(key, slot));
            }

            Assert.Equal(model.Count, index.Count);
        }

        Assert.Equal(model.OrderBy(p => p.Key), index.OrderBy(p => p.Key));
        foreach ((string key, Slot slot) in model)
        {
            Assert.True(index.TryGetWithoutLock(key, out Slot? found));
            Assert.Same(slot, found);
        }

        Assert.False(index.TryGetWithoutLock("absent", out _));
    }

    [Fact]
    public void ATombstoneOnTheProbePath_IsReused_SoChurnDoesNotForceRebuilds()
    {
        var index = new ReadMostlyIndex();
        var slot = new Slot(1, 1);
        for (int i = 0; i < 16; i++)
        {
            index.TryAdd("live-" + i, slot);
        }

        int before = index.Rebuilds;
        for (int i = 0; i < 10_000; i++)
        {
            // The same id again: its own tombstone is the first free cell on its probe path.
            Assert.True(index.TryAdd("order", slot));
            Assert.True(index.TryRemove("order", slot));
        }

        Assert.Equal(before, index.Rebuilds); // without reuse, every add takes a fresh cell and the array is rebuilt every few dozen
        Assert.Equal(16, index.Count);
        Assert.False(index.TryGetValue("order", out _));
        Assert.True(index.TryGetValue("live-15", out Slot? found) && ReferenceEquals(found, slot));
    }

    [Fact]
    public void SameSizeRebuilds_ReuseTheSpareArray_WithoutBringingBackRemovedIds_AndGrowthAfterThemKeepsEveryId()
    {
        var index = new ReadMostlyIndex();
        var slot = new Slot(1, 1);
        var model = new HashSet<string>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(index.TryAdd("keep-" + i, slot));
            model.Add("keep-" + i);
        }

        // Distinct ids, each removed one step later: tombstones pile up until the 16-cell array is rebuilt at its size.
        for (int round = 0; round < 400; round++)
        {
            Assert.True(index.TryAdd("churn-" + round, slot));
            model.Add("churn-" + round);
            if (round > 0)
            {
                Assert.True(index.TryRemove("churn-" + (round - 1), slot));
                model.Remove("churn-" + (round - 1));
            }

            for (int gone = Math.Max(0, round - 40); gone < round; gone++)
            {
                Assert.False(index.TryGetValue("churn-" + gone, out _), $"churn-{gone} came back after rebuild {index.Rebuilds}");
            }
        }

        int sameSize = index.Rebuilds;
        Assert.True(sameSize >= 3, $"{sameSize} rebuilds: the churn did not exercise the spare array");

        for (int i = 0; i < 100; i++)
        {
            Assert.True(index.TryAdd("grow-" + i, slot)); // growth right after same-size rebuilds: the spare is the wrong size now
            model.Add("grow-" + i);
        }

        Assert.True(index.Rebuilds > sameSize);
        Assert.Equal(model.Count, index.Count);
        Assert.Equal(model.Order(StringComparer.Ordinal), index.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(model, id => Assert.True(index.TryGetWithoutLock(id, out Slot? found) && ReferenceEquals(found, slot), id));
    }

    [Fact]
    public async Task LockFreeReaders_NeverSeeAWrongSlot_WhileTheWriterChurns()
    {
        var index = new ReadMostlyIndex();
        var owners = Enumerable.Range(0, 64).Select(i => new Slot(i, i)).ToArray();
        for (int i = 0; i < owners.Length; i++)
        {
            index.TryAdd("stable-" + i, owners[i]);
        }

        bool stop = false;
        Task writer = Task.Run(() =>
        {
            for (int round = 0; !Volatile.Read(ref stop); round++)
            {
                var churn = new Slot(-1, -1);
                for (int i = 0; i < 200; i++)
                {
                    index.TryAdd($"churn-{round}-{i}", churn); // forces growth and tombstones
                }

                for (int i = 0; i < 200; i++)
                {
                    index.TryRemove($"churn-{round}-{i}", churn);
                }
            }
        });

        long found = 0;
        for (int read = 0; read < 2_000_000; read++)
        {
            int i = read % owners.Length;
            if (index.TryGetWithoutLock("stable-" + i, out Slot? slot))
            {
                Assert.Same(owners[i], slot); // a lock-free hit is always right; a miss just means "ask under the lock"
                found++;
            }
        }

        Volatile.Write(ref stop, true);
        await writer;
        Assert.True(found > 0);
    }
}
