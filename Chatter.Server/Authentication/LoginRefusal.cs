using Chatter.Protocol.Frames;

namespace Chatter.Server.Authentication;

/// <summary>Why a login was refused (one of <see cref="FrameError"/>'s reasons) and, where it helps, when to try again.</summary>
internal sealed record LoginRefusal(string Reason, TimeSpan? RetryAfter);
