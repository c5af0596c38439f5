using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Moderation;

/// <summary><c>Chatter:Admins</c> and <c>Chatter:KickMinutes</c>: who may moderate, and how long a kick keeps a user out.</summary>
public sealed class ModerationOptions
{
    /// <summary>The configuration section (the keys sit directly under <c>Chatter</c>).</summary>
    public const string Section = "Chatter";

    /// <summary>
    /// The users (names in the users file) who may kick. Default none. A name that is not a user is not refused at start
    /// (the users file may gain it later) but logged as a warning.
    /// </summary>
    public string[] Admins { get; set; } = [];

    /// <summary>Minutes a kicked user's logins (raw, <c>/api/token</c>, the hub with an earlier token) are refused. Default 10.</summary>
    [Range(1, 7 * 24 * 60)]
    public int KickMinutes { get; set; } = 10;

    /// <summary>True when <paramref name="user"/> is listed in <see cref="Admins"/> (names compare exactly, as logins do).</summary>
    public bool IsAdmin(string? user) => user is not null && Array.IndexOf(Admins, user) >= 0;
}
