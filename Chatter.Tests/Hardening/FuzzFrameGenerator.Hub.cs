using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chatter.Tests.Hardening;

/// <summary>The cases for the hub's JSON protocol.</summary>
internal sealed partial class FuzzFrameGenerator
{
    /// <summary>An invocation record for the hub's JSON protocol on an open connection: answered by a completion (or by nothing when it has no id).</summary>
    public FuzzCase NextHubInvocation()
    {
        var id = $"i{sequence++}-{RandomText(0, 6, ascii: true)}";
        var idJson = Json(id);
        string Record(string target, string arguments, bool withId = true)
            => (withId ? $"{{\"type\":1,\"invocationId\":{idJson},\"target\":{target},\"arguments\":{arguments}}}" : $"{{\"type\":1,\"target\":{target},\"arguments\":{arguments}}}") + HubJsonSocket.RecordSeparator;

        // No records of an unknown integer type: SignalR's JSON protocol reads past one but reports no message, so the
        // records behind it wait, unread, until the connection's input outgrows MaximumReceiveMessageSize (a SignalR
        // quirk that hurts only the connection that sends them).
        switch (random.Next(9))
        {
            case 0:
            {
                var (thread, message) = (RandomThread(30), RandomText(1, 200));
                return new FuzzCase("hub: valid SendMessage", Bytes(Record("\"SendMessage\"", $"[{Json(thread)},{Json(message)}]")), WebSocketMessageType.Text, FuzzOutcome.Stored, id, Stored: (thread, message));
            }

            case 1:
                return new FuzzCase("hub: SendMessage with wrong types", Bytes(Record("\"SendMessage\"", $"[{Pick(WrongTypes)},{Pick(WrongTypes)}]")), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            case 2:
            {
                var count = Pick([0, 1, 3, 4, 17]);
                var arguments = "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => Json(RandomText(1, 10)))) + "]";
                return new FuzzCase($"hub: SendMessage with {count} arguments", Bytes(Record("\"SendMessage\"", arguments)), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            }

            case 3:
                return new FuzzCase("hub: unknown method", Bytes(Record(Json(Pick(["", "sendmessage", "OnConnectedAsync", "Dispose", "ReceiveMessage", RandomText(1, 40)])), "[]")), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            case 4:
            {
                // Over the message limit, under SignalR's record limit.
                var message = new string('m', maxMessageChars + 1 + random.Next(maxFrameBytes / 2 - maxMessageChars));
                return new FuzzCase("hub: huge message argument", Bytes(Record("\"SendMessage\"", $"[\"t\",{Json(message)}]")), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            }

            case 5:
            {
                var thread = Pick(["", new string('t', maxThreadChars + 1), null]);
                var message = Pick(["", null, "ok"]);
                return new FuzzCase("hub: SendMessage with invalid values", Bytes(Record("\"SendMessage\"", $"[{Json(thread)},{Json(message)}]")), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            }

            case 6:
            {
                var limit = Pick([0, -1, 501, int.MaxValue, int.MinValue]);
                return new FuzzCase("hub: GetHistory with a bad limit", Bytes(Record("\"GetHistory\"", $"[null,null,{limit}]")), WebSocketMessageType.Text, FuzzOutcome.Error, id);
            }

            case 7:
                return new FuzzCase("hub: GetHistory", Bytes(Record("\"GetHistory\"", $"[{Json(Pick([null, "t", RandomThread(10)]))},{Pick(["null", "0", "-5", "9223372036854775807"])},{random.Next(1, 501)}]")), WebSocketMessageType.Text, FuzzOutcome.Result, id);
            default:
                return new FuzzCase("hub: invalid call without an invocation id", Bytes(Record("\"SendMessage\"", $"[{Pick(WrongTypes)}]", withId: false)), WebSocketMessageType.Text, FuzzOutcome.Nothing);
        }
    }

    /// <summary>A record (or handshake) the hub's JSON protocol cannot take: the server ends the connection.</summary>
    public FuzzCase NextHubConnectionEnding(out bool beforeHandshake)
    {
        sequence++;
        beforeHandshake = random.Next(4) == 0;
        if (beforeHandshake)
        {
            if (random.Next(5) == 0)
            {
                // The in-process raw protocol is a hub protocol too; over /hubs/chat its frame header comes from the client.
                byte[] header = [0, .. BitConverter.GetBytes(Pick([-1, int.MinValue, -5]))];
                return new FuzzCase("hub: chatter-raw handshake, then a forged frame header", [.. Bytes("{\"protocol\":\"chatter-raw\",\"version\":1}\u001e"), .. header, .. "{}"u8.ToArray()], WebSocketMessageType.Binary, FuzzOutcome.Closed);
            }

            var handshake = Pick(["{\"protocol\":\"messagepack\",\"version\":1}", "{\"protocol\":\"json\",\"version\":99}", "{}", "[]", "null", "{\"protocol\":\"json\"", Encoding.ASCII.GetString([.. RandomBytes(null).Payload.Select(b => (byte)(b & 0x7F)).Where(b => b != 0x1E)])]);
            return new FuzzCase("hub: bad handshake", Bytes(handshake + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed);
        }

        return random.Next(6) switch
        {
            0 => new FuzzCase("hub: random bytes record", [.. RandomBytes(null).Payload.Where(b => b != 0x1E), 0x1E], WebSocketMessageType.Binary, FuzzOutcome.Closed),
            1 => new FuzzCase("hub: truncated record", Bytes("{\"type\":1,\"target\":\"SendMessage\",\"arguments\":[\"t\"" + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed),
            2 => new FuzzCase("hub: message type not an integer", Bytes($"{{\"type\":{Pick(["\"1\"", "1.5", "null", "[]", "{}"])}}}" + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed),
            3 => new FuzzCase("hub: arguments not an array", Bytes($"{{\"type\":1,\"invocationId\":\"x\",\"target\":\"SendMessage\",\"arguments\":{Pick(["5", "\"a\"", "{}", "null"])}}}" + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed),
            4 => new FuzzCase("hub: record over the size limit", Bytes($"{{\"type\":1,\"invocationId\":\"x\",\"target\":\"SendMessage\",\"arguments\":[\"t\",\"{new string('m', maxFrameBytes + random.Next(1000))}\"]}}" + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed),
            _ => new FuzzCase("hub: deeply nested record", Bytes("{\"type\":1,\"invocationId\":\"x\",\"target\":\"SendMessage\",\"arguments\":" + new string('[', 200 + random.Next(3000)) + "}" + HubJsonSocket.RecordSeparator), WebSocketMessageType.Text, FuzzOutcome.Closed),
        };
    }
}
