using Chatter.Protocol;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.Delivery;

/// <summary>How a connection goes live (<see cref="IDelivery.ReplayThenGoLiveAsync"/>).</summary>
/// <param name="Method">The client method the replayed messages are sent as.</param>
/// <param name="Replay">The replay, oldest first.</param>
/// <param name="HighWater">The store's high-water id at the replay's snapshot.</param>
/// <param name="AfterReplay">Messages to send after the replay and before any live message (the recovery answer, the read markers), or null.</param>
/// <param name="CheckpointMethod">The client method checkpoints are sent as (with the id); null for none.</param>
public sealed record LiveStart(string Method, IReadOnlyList<ChatMessage> Replay, long HighWater, IReadOnlyList<HubMessage>? AfterReplay = null, string? CheckpointMethod = null);
