using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Limits failed logins without letting anyone lock a user out (README, Security). Every login takes an attempt in up
/// to three one-minute windows before its password is checked, and only when all have room:
/// <list type="bullet">
/// <item>this name from this address: <c>Chatter:Limits:FailedLoginsPerMinute</c>, so one person's typos stop only
/// their own name from their own address;</item>
/// <item>this address across all names (spraying): <c>FailedLoginsPerAddressPerMinute</c>;</item>
/// <item>this name from all addresses (many addresses guessing one name): <c>FailedLoginsPerNamePerMinute</c>.</item>
/// </list>
/// The last two do not apply where the user has logged in before (<see cref="KnownAddresses"/>): guesses from elsewhere
/// never block a user at a familiar address. A successful attempt is taken back, so only failures count; and since the
/// attempt is taken before the check, N parallel guesses check at most the limit.
/// </summary>
internal sealed class LoginThrottle(IOptions<LimitsOptions> options, IAttemptWindows windows, KnownAddresses known)
{
    /// <summary>Takes an attempt for a login of <paramref name="name"/> (null: a frame that was not a login) from <paramref name="remoteAddress"/>.</summary>
    public async ValueTask<LoginAttempt> BeginAsync(string? remoteAddress, string? name)
    {
        var limits = options.Value;
        var address = remoteAddress ?? "unknown";
        var familiar = name is not null && await known.IsKnownAsync(name, remoteAddress);
        var taken = new List<AttemptWindow>(3);
        if (name is not null && limits.FailedLoginsPerMinute > 0)
        {
            // A newline cannot be part of an address: the key is unambiguous whatever the name holds.
            taken.Add(new AttemptWindow("pair:" + address + "\n" + name, limits.FailedLoginsPerMinute));
        }

        if (!familiar && limits.FailedLoginsPerAddressPerMinute > 0)
        {
            taken.Add(new AttemptWindow("address:" + address, limits.FailedLoginsPerAddressPerMinute));
        }

        if (!familiar && name is not null && limits.FailedLoginsPerNamePerMinute > 0)
        {
            taken.Add(new AttemptWindow("name:" + name, limits.FailedLoginsPerNamePerMinute));
        }

        if (taken.Count == 0)
        {
            return new LoginAttempt(this, taken, "", name, remoteAddress, retryAfter: null);
        }

        var id = Guid.NewGuid().ToString("N");
        var wait = await windows.TryReserveAsync(taken, id);
        return new LoginAttempt(this, wait is null ? taken : [], id, name, remoteAddress, wait);
    }

    internal async ValueTask EndAsync(LoginAttempt attempt, bool succeeded, bool checkedPassword)
    {
        if (!succeeded && checkedPassword)
        {
            // A failure: it stays in its windows until they slide.
            return;
        }

        if (attempt.Windows.Count > 0)
        {
            await windows.ReleaseAsync(attempt.Windows, attempt.Id);
        }

        if (succeeded && attempt.Name is not null)
        {
            await known.RememberAsync(attempt.Name, attempt.RemoteAddress);
        }
    }
}
