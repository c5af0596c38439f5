namespace Chatter.Tests.Hardening;

/// <summary>What the server must answer to one fuzz case.</summary>
internal enum FuzzOutcome
{
    /// <summary>Raw: <c>{"error":...}</c> (with <c>ref</c> exactly when the case has one). Hub: a completion with an error.</summary>
    Error,

    /// <summary>Stored: raw <c>{"ack":ref}</c>, hub a completion with the stored message.</summary>
    Stored,

    /// <summary>Hub: a completion with a result that stores nothing (GetHistory).</summary>
    Result,

    /// <summary>Hub: nothing (an invocation without an id).</summary>
    Nothing,

    /// <summary>The server ends the connection (the case's close status, when it names one).</summary>
    Closed,
}
