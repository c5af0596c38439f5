using System.Threading.Channels;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Conversations;

/// <summary>Edits and deletes between nodes on Redis, and for SignalR clients (<c>EditMessage</c>, <c>DeleteMessage</c>, <c>MessageEdited</c>, <c>MessageDeleted</c>).</summary>
[CancelAfter(60_000)]
public class EditAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task ARawEditAndDeleteOnOneNodeReachV2ConnectionsOnAnotherAndItsReplay(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, configureNode: (_, services) => EditFrames.WithoutCheckpoints(services));
        var (author, _) = await cluster[0].LoginV2Async("alice", cancellationToken: ct);
        var (reader, _) = await cluster[1].LoginV2Async("bob", cancellationToken: ct);
        await using var _ = author;
        await using var __ = reader;
        var edited = await author.SendAndAckAsync("general", "helo", "m1", ct);
        var deleted = await author.SendAndAckAsync("general", "oops", "m2", ct);
        await reader.ReceiveMessageAsync(ct);
        await reader.ReceiveMessageAsync(ct);

        await author.SendEditAsync(edited.Id, "hello", "e1", ct);
        var (_, message, editedTs) = await author.ReceiveEditedAsync(ct);
        Assert.That(await reader.ReceiveEditedAsync(ct), Is.EqualTo(((string?)null, message, editedTs)));
        await author.SendDeleteAsync(deleted.Id, "d1", ct);
        await author.ReceiveDeletedAsync(ct);
        Assert.That(await reader.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, deleted.Id, "general")));

        // The replay on the other node: the edited text with its editedTs, the deleted message left out.
        await using var later = await cluster[1].LoginRawAsync("carol", cancellationToken: ct);
        Assert.That(await later.ReceiveTextAsync(ct), Is.EqualTo($"{{\"thread\":\"general\",\"message\":\"hello\",\"from\":\"alice\",\"sender\":\"alice\",\"id\":{edited.Id},\"ts\":\"{edited.Ts}\",\"editedTs\":\"{editedTs}\"}}"));
        await later.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task SignalRClientsEditAndDeleteWithTheSameRulesAndHearRawClientsDoTheSame(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, configureNode: (_, services) => EditFrames.WithoutCheckpoints(services));
        var token = await cluster[1].GetTokenAsync("alice", cancellationToken: ct);
        var edits = Channel.CreateUnbounded<ChatMessage>();
        var deletes = Channel.CreateUnbounded<DeletedMessage>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri($"{cluster[1].HubUri}?v=2"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        hub.On<ChatMessage>("MessageEdited", m => edits.Writer.TryWrite(m));
        hub.On<DeletedMessage>("MessageDeleted", d => deletes.Writer.TryWrite(d));
        await hub.StartAsync(ct);
        await hub.InvokeAsync<Chatter.Protocol.Recovery>("Resume", null, null, ct);
        await using var v1Hub = await cluster[1].ConnectHubAsync("carol", cancellationToken: ct);
        var v1Edits = 0;
        v1Hub.Connection.On<ChatMessage>("MessageEdited", _ => Interlocked.Increment(ref v1Edits));

        var (raw, _) = await cluster[0].LoginV2Async("alice", cancellationToken: ct);
        await using var _ = raw;
        var fromRaw = await raw.SendAndAckAsync("general", "from raw", "m1", ct);
        await raw.SendEditAsync(fromRaw.Id, "from raw, edited", "e1", ct);
        var (_, rawEdited, _) = await raw.ReceiveEditedAsync(ct);
        var heard = await edits.Reader.ReadAsync(ct).AsTask().WaitAsync(RawChatClient.DefaultTimeout, ct);
        Assert.That((heard.Id, heard.Message, heard.EditedTs is not null), Is.EqualTo((rawEdited.Id, "from raw, edited", true)));

        var mine = await hub.InvokeAsync<ChatMessage>("SendMessage", "general", "from hub", ct);
        await raw.ReceiveMessageAsync(ct);
        var answer = await hub.InvokeAsync<ChatMessage>("EditMessage", mine.Id, "from hub, edited", ct);
        Assert.That(answer with { EditedTs = null }, Is.EqualTo(mine with { Message = "from hub, edited" }));
        var (_, notice, editedTs) = await raw.ReceiveEditedAsync(ct);
        Assert.That((notice.Message, editedTs), Is.EqualTo(("from hub, edited", answer.EditedTs!.Value.ToString(UtcTimestampConverter.Format, System.Globalization.CultureInfo.InvariantCulture))));

        await Assert.ThatAsync(() => v1Hub.Connection.InvokeAsync<ChatMessage>("EditMessage", mine.Id, "carol's", ct), Throws.InstanceOf<HubException>().With.Message.Contains("not yours"));
        await Assert.ThatAsync(() => v1Hub.Connection.InvokeAsync<DeletedMessage>("DeleteMessage", mine.Id, ct), Throws.InstanceOf<HubException>().With.Message.Contains("not yours"));
        await Assert.ThatAsync(() => hub.InvokeAsync<DeletedMessage>("DeleteMessage", mine.Id + 1_000, ct), Throws.InstanceOf<HubException>().With.Message.Contains("not found"));
        await Assert.ThatAsync(() => hub.InvokeAsync<ChatMessage>("EditMessage", mine.Id, "", ct), Throws.InstanceOf<HubException>().With.Message.Contains("message must not be empty"));

        Assert.That(await hub.InvokeAsync<DeletedMessage>("DeleteMessage", mine.Id, ct), Is.EqualTo(new DeletedMessage(mine.Id, "general")));
        Assert.That(await raw.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, mine.Id, "general")));
        await raw.SendDeleteAsync(fromRaw.Id, "d1", ct);
        await raw.ReceiveDeletedAsync(ct);
        Assert.That(await deletes.Reader.ReadAsync(ct).AsTask().WaitAsync(RawChatClient.DefaultTimeout, ct), Is.EqualTo(new DeletedMessage(fromRaw.Id, "general")));

        Assert.That(await v1Hub.GetHistoryAsync(null, null, 10, ct), Is.Empty, "both deleted");
        Assert.That(v1Edits, Is.Zero, "a v1 SignalR connection gets no notices");
    }
}
