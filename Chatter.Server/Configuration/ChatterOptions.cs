using System.ComponentModel.DataAnnotations;
using Chatter.Protocol;

namespace Chatter.Server.Configuration;

/// <summary>
/// Chatter's own settings, bound from the <c>Chatter</c> configuration section and validated at start: those of no one
/// component. Each component binds its own subsection (<c>Chatter:History</c>, <c>Chatter:Limits</c>, ...) to an options
/// class in its folder.
/// </summary>
public sealed class ChatterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter";

    /// <summary>The users file (<c>{"name":"password"}</c>), relative to the working directory. Default <c>users.json</c>.</summary>
    [Required]
    public string UsersFile { get; set; } = "users.json";

    /// <summary>Seconds a raw client has to send its login frame. Default 10.</summary>
    [Range(1, 3600)]
    public int AuthTimeoutSeconds { get; set; } = 10;

    /// <summary>The longest message, in characters (UTF-16 code units). Default 4000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageChars { get; set; } = ChatRules.DefaultMaxMessageChars;

    /// <summary>The largest raw WebSocket message, in bytes, all fragments together; larger closes with 1009. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Browser origins (<c>https://chat.example.com</c>) allowed to open <c>/ws/chat</c>, the hub or
    /// <c>/api/token</c>. Empty (default): any. When set, a request whose <c>Origin</c> is neither listed nor the
    /// server's own is refused with 403; requests without <c>Origin</c> (programs, not browsers) are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Seconds a stopping node (SIGTERM, Ctrl-C) has to close its connections and finish storing what it accepted
    /// before it exits (the host's shutdown timeout). Default 10.
    /// </summary>
    [Range(1, 3600)]
    public int ShutdownDrainSeconds { get; set; } = 10;
}
