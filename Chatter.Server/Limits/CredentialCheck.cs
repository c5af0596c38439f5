using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Diagnostics;
using Chatter.Server.Moderation;

namespace Chatter.Server.Limits;

/// <summary>
/// A login's credentials, as both the raw login and <c>/api/token</c> check them: the attempt is taken in the
/// <see cref="LoginThrottle"/> first, then the password is checked within the <see cref="PasswordChecks"/> bound, then
/// a right password of a kicked user is refused with <c>kicked</c> until the kick ends (only the user learns of the kick).
/// </summary>
internal sealed class CredentialCheck(UserDirectory users, LoginThrottle throttle, PasswordChecks checks, IKickList kicks, ChatterMetrics metrics, TimeProvider time, ILogger<CredentialCheck> logger) : ICredentialCheck
{
    /// <summary>Checks <paramref name="name"/>'s <paramref name="password"/>: null when right, otherwise the refusal.</summary>
    public async ValueTask<LoginRefusal?> CheckAsync(string? remoteAddress, string name, string password)
    {
        var attempt = await throttle.BeginAsync(remoteAddress, name);
        if (attempt.RetryAfter is { } retryAfter)
        {
            // Refused before the password is checked: a guess past the limit costs no hashing and tells nothing.
            return new LoginRefusal(FrameError.TooManyAttempts, retryAfter);
        }

        var ok = checks.TryRun(() => users.Verify(name, password));
        if (ok is not { } succeeded)
        {
            await attempt.NotCheckedAsync();
            return new LoginRefusal(FrameError.ServerBusy, TimeSpan.FromSeconds(1));
        }

        LimitsLog.PasswordChecked(logger, users.LoggableName(name), remoteAddress, succeeded);
        metrics.PasswordChecked(succeeded);
        await attempt.CheckedAsync(succeeded);
        if (!succeeded)
        {
            return new LoginRefusal(FrameError.InvalidCredentials, null);
        }

        return await kicks.KickedUntilAsync(name) is { } until ? new LoginRefusal(FrameError.Kicked, until - time.GetUtcNow()) : null;
    }

    /// <summary>A first frame that was not a login: counted as a failure of its address, when the address may still try.</summary>
    public async ValueTask<LoginRefusal> RefuseMalformedAsync(string? remoteAddress)
    {
        var attempt = await throttle.BeginAsync(remoteAddress, name: null);
        await attempt.CheckedAsync(succeeded: false);
        return new LoginRefusal(FrameError.InvalidCredentials, null);
    }
}
