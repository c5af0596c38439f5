namespace Chatter.Server.Hubs;

/// <summary>
/// Marks the requests of the hub's own endpoint (<c>/hubs/chat</c>): code running for them knows it serves a SignalR
/// client, not a <c>/ws/chat</c> connection (the protocol resolver refuses <c>chatter-raw</c> to them).
/// </summary>
public static class SignalRClientScope
{
    private static readonly AsyncLocal<bool> Active = new();

    /// <summary>True while a request of the hub's endpoint is handled.</summary>
    public static bool IsActive => Active.Value;

    /// <summary>Runs every request of <paramref name="hub"/>'s endpoints inside the scope.</summary>
    public static void Mark(IEndpointConventionBuilder hub)
        => hub.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is { } next)
            {
                // An async method: the value it sets is undone when it returns, so it never outlives the request.
                endpoint.RequestDelegate = async context =>
                {
                    Active.Value = true;
                    await next(context);
                };
            }
        });
}
