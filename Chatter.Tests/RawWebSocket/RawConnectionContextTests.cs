using System.IO.Pipelines;
using Chatter.Server.Authentication;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// The in-process connection of a raw client answers for its own features without a dictionary, and keeps the
/// features others set (the Redis backplane sets one), replaced or removed ones included, as a feature collection must.
/// </summary>
[CancelAfter(30_000)]
public class RawConnectionContextTests
{
    [Test]
    public void OwnFeaturesDescribeTheRawClient()
    {
        var (context, upgrade, chat) = Create();
        var features = context.Features;

        Assert.That(context.ConnectionId, Is.EqualTo(upgrade.TraceIdentifier));
        Assert.That(features.Get<IConnectionUserFeature>()!.User!.Identity!.Name, Is.EqualTo("test1"));
        Assert.That(features.Get<ITransferFormatFeature>()!.SupportedFormats, Is.EqualTo(TransferFormat.Text));
        Assert.That(features.Get<IConnectionInherentKeepAliveFeature>()!.HasInherentKeepAlive, Is.True);
        Assert.That(features.Get<IHttpContextFeature>()!.HttpContext, Is.SameAs(upgrade));
        Assert.That(features.Get<ChatConnectionFeature>(), Is.SameAs(chat));
        Assert.That(features.Get<IConnectionLifetimeFeature>(), Is.Not.Null);
        Assert.That(features.Get<IConnectionItemsFeature>()!.Items, Is.SameAs(context.Items));
        Assert.That(features.Get<ITlsConnectionFeature>(), Is.Null);
        Assert.That(features.Select(feature => feature.Key), Does.Contain(typeof(ChatConnectionFeature)).And.Contain(typeof(IConnectionUserFeature)));
    }

    [Test]
    public void FeaturesSetByOthersAreKeptReplacedAndRemoved()
    {
        var (context, _, _) = Create();
        var features = context.Features;
        var revision = features.Revision;
        var added = new ExtraFeature();

        features.Set(added);
        Assert.That(features.Get<ExtraFeature>(), Is.SameAs(added));
        Assert.That(features.Select(feature => feature.Value), Does.Contain(added));

        var otherChat = new ChatConnectionFeature("raw", since: 5);
        features.Set(otherChat);
        Assert.That(features.Get<ChatConnectionFeature>(), Is.SameAs(otherChat), "an own feature can be replaced");
        Assert.That(features.Count(feature => feature.Key == typeof(ChatConnectionFeature)), Is.EqualTo(1));

        features.Set<ExtraFeature>(null);
        features.Set<IHttpContextFeature>(null);
        Assert.That(features.Get<ExtraFeature>(), Is.Null);
        Assert.That(features.Get<IHttpContextFeature>(), Is.Null, "an own feature can be removed");
        Assert.That(features.Select(feature => feature.Key), Does.Not.Contain(typeof(IHttpContextFeature)).And.Not.Contain(typeof(ExtraFeature)));
        Assert.That(features.Revision, Is.GreaterThan(revision));
    }

    [Test]
    public async Task AbortFiresConnectionClosed(CancellationToken ct)
    {
        var (context, _, _) = Create();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = context.ConnectionClosed.Register(() => closed.TrySetResult());

        context.Features.Get<IConnectionLifetimeFeature>()!.Abort();

        await closed.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
        Assert.That(context.ConnectionClosed.IsCancellationRequested, Is.True);
    }

    private static (ConnectionContext Context, HttpContext Upgrade, ChatConnectionFeature Chat) Create()
    {
        var upgrade = new DefaultHttpContext { TraceIdentifier = $"t-{Guid.NewGuid():N}" };
        var pipe = new Pipe();
        var chat = new ChatConnectionFeature("raw", since: null);
        var context = new RawConnectionContext(upgrade, new DuplexPipe(pipe.Reader, pipe.Writer), UserDirectory.CreatePrincipal("test1", "chatter-raw"), chat, new Outbox(16, 1024 * 1024, new OutboundBudget(1024 * 1024, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboundBudget>.Instance), TimeProvider.System), new NotRevoked());
        return (context, upgrade, chat);
    }

    private sealed class ExtraFeature;

    private sealed class NotRevoked : Chatter.Server.Authentication.IRevocableConnection
    {
        public void Revoke(string reason)
        {
        }
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
