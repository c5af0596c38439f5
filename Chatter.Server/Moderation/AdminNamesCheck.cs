using Chatter.Server.Authentication;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Moderation.ModerationLog;

namespace Chatter.Server.Moderation;

/// <summary>At start, after the users file is read: a warning for each name in <c>Chatter:Admins</c> that is not a user (nothing is refused).</summary>
internal sealed class AdminNamesCheck(UserDirectory users, IOptions<ModerationOptions> options, ILogger<AdminNamesCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var admin in options.Value.Admins.Where(admin => !users.Exists(admin)))
        {
            Log.UnknownAdmin(logger, admin, users.FilePath);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
