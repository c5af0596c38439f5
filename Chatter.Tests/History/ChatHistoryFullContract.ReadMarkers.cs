using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.History;

/// <summary>What the stores promise for read markers (issue 16): per user and thread, forward only, bounded.</summary>
public abstract partial class ChatHistoryFullContract
{
    [Test]
    public async Task AReadMarkerMovesOnlyForwardAndBelongsToItsUser(CancellationToken ct)
    {
        var history = await CreateAsync();
        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("general", 5), ct), Is.EqualTo(ReadMarkerResult.Moved));
        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("general", 3), ct), Is.EqualTo(ReadMarkerResult.Unchanged));
        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("general", 5), ct), Is.EqualTo(ReadMarkerResult.Unchanged));
        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("random", 2), ct), Is.EqualTo(ReadMarkerResult.Moved));
        Assert.That(await history.SetReadMarkerAsync("bob", new ReadMarker("general", 9), ct), Is.EqualTo(ReadMarkerResult.Moved));

        Assert.That(await history.GetReadMarkersAsync("alice", ct), Is.EquivalentTo(new Dictionary<string, long> { ["general"] = 5, ["random"] = 2 }));
        Assert.That(await history.GetReadMarkersAsync("bob", ct), Is.EquivalentTo(new Dictionary<string, long> { ["general"] = 9 }));
        Assert.That(await history.GetReadMarkersAsync("carol", ct), Is.Empty);
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AUserKeepsAtMostTheBoundOfThreadsWithMarkersAndMayStillMoveThem(CancellationToken ct)
    {
        var history = await CreateAsync();
        await Task.WhenAll(Enumerable.Range(0, IChatHistory.MaxReadMarkersPerUser)
            .Select(i => history.SetReadMarkerAsync("alice", new ReadMarker($"t{i}", 1), ct).AsTask()));

        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("one-too-many", 1), ct), Is.EqualTo(ReadMarkerResult.TooMany));
        Assert.That(await history.SetReadMarkerAsync("alice", new ReadMarker("t7", 2), ct), Is.EqualTo(ReadMarkerResult.Moved));
        Assert.That((await history.GetReadMarkersAsync("alice", ct)).Count, Is.EqualTo(IChatHistory.MaxReadMarkersPerUser));
        await DisposeHistoryAsync(history);
    }
}
