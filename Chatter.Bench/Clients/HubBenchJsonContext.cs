using System.Text.Json.Serialization;

namespace Chatter.Bench.Clients;

/// <summary>Source-generated JSON for what SignalR clients of the bench receive.</summary>
[JsonSerializable(typeof(ReceivedText))]
internal sealed partial class HubBenchJsonContext : JsonSerializerContext;
