namespace Chatter.Server.Authentication;

/// <summary>
/// A login's credentials, as both the raw login and <c>/api/token</c> check them, within the login limits (the throttle
/// and the bound on password checks, <c>Limits.CredentialCheck</c>).
/// </summary>
internal interface ICredentialCheck
{
    /// <summary>Checks <paramref name="name"/>'s <paramref name="password"/>: null when right, otherwise the refusal.</summary>
    ValueTask<LoginRefusal?> CheckAsync(string? remoteAddress, string name, string password);

    /// <summary>A first frame that was not a login: counted as a failure of its address, when the address may still try.</summary>
    ValueTask<LoginRefusal> RefuseMalformedAsync(string? remoteAddress);
}
