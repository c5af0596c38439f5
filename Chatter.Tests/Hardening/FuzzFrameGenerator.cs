using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

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

/// <summary>One WebSocket message to send and what must come of it.</summary>
/// <param name="Kind">What the case tries, for the report.</param>
/// <param name="Payload">The message's bytes.</param>
/// <param name="Type">Text or binary.</param>
/// <param name="Outcome">The answer it must get.</param>
/// <param name="Ref">Raw: the <c>ref</c> the error or ack must carry. Hub: the invocation id.</param>
/// <param name="CloseStatus">For <see cref="FuzzOutcome.Closed"/>: the close status the server must send, or null when any end will do.</param>
/// <param name="Stored">For <see cref="FuzzOutcome.Stored"/>: the thread and message the history must then hold.</param>
/// <param name="MayAbort">For <see cref="FuzzOutcome.Closed"/>: an abort instead of the close frame is right too.</param>
internal sealed record FuzzCase(string Kind, byte[] Payload, WebSocketMessageType Type, FuzzOutcome Outcome, string? Ref = null, WebSocketCloseStatus? CloseStatus = null, (string Thread, string Message)? Stored = null, bool MayAbort = false)
{
    /// <summary>The kind and the first bytes of the payload, for a failure message.</summary>
    public override string ToString()
    {
        var preview = Type == WebSocketMessageType.Text && Payload.Length <= 200
            ? Encoding.UTF8.GetString(Payload)
            : Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 48))) + (Payload.Length > 48 ? "…" : "");
        return $"{Kind} ({Payload.Length} bytes {Type}): {preview}";
    }
}

/// <summary>
/// Generates hostile frames for <c>/ws/chat</c> and for the hub's JSON protocol from one seed, so a run is reproducible.
/// Each case carries the answer the wire contract defines for it; the kinds stay clear of the edges where the contract
/// leaves the answer open (a valid frame whose <c>ref</c> is not a string gets no answer at all, so there is none).
/// </summary>
internal sealed class FuzzFrameGenerator(int seed, int maxFrameBytes, int maxMessageChars, int maxThreadChars)
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Words = ["hello", "général", "中文", "😀", "\"quoted\"", "back\\slash", "tab\there", "nul\0", "rs\u001e", "line\nbreak", "<script>", "' OR 1=1 --", "\u200b", "\u202e"];
    private static readonly string[] WrongTypes = ["12", "-0", "1e999999999", "123456789012345678901234567890", "true", "false", "null", "[]", "{}", "[\"a\"]", "{\"a\":1}", "0.0000001"];

    private readonly Random random = new(seed);
    private int sequence;

    public int Seed => seed;

    /// <summary>A frame for a logged-in raw client whose answer keeps the connection open (or the 64 KiB edges that still fit).</summary>
    public FuzzCase NextRawInStream()
    {
        var reference = $"f{sequence++}";
        return random.Next(19) switch
        {
            0 => RandomBytes(reference),
            1 => Truncated(reference),
            2 => DeeplyNested(reference, tooDeep: random.Next(2) == 0),
            3 => HugeNumberInExtraField(reference),
            4 => WrongType(reference),
            5 => EscapedControlCharacters(reference),
            6 => UnescapedControlCharacter(),
            7 => LoneSurrogateEscape(),
            8 => LengthEdge(reference),
            9 => Binary(),
            10 => Valid(reference, RandomText(1, 40), RandomText(1, 300), "valid"),
            11 => EmptyOrBlank(reference),
            12 => TrailingGarbage(reference),
            13 => NotAnObject(),
            14 => DuplicateKeys(reference),
            15 => LoginFrameAfterLogin(),
            16 => ForgedFields(reference),
            17 => NonBmpLengthEdge(reference),
            _ => random.Next(50) == 0 ? SizeEdgeInStream(reference) : Valid(reference, RandomText(1, 20), RandomText(1, 100), "valid"),
        };
    }

    /// <summary>A case that ends a raw connection: any first frame that is not a login, a frame over the limit, invalid UTF-8 text.</summary>
    public FuzzCase NextRawConnectionEnding(bool beforeLogin)
    {
        sequence++;
        if (!beforeLogin)
        {
            return random.Next(2) == 0
                ? new FuzzCase("over MaxFrameBytes after login", PaddedFrame(maxFrameBytes + 1 + random.Next(3) * random.Next(70_000), "r"), WebSocketMessageType.Text, FuzzOutcome.Closed, CloseStatus: WebSocketCloseStatus.MessageTooBig)
                : InvalidUtf8Text();
        }

        return random.Next(8) switch
        {
            0 => new FuzzCase("over MaxFrameBytes before login", Bytes(new string('x', maxFrameBytes + 1)), WebSocketMessageType.Text, FuzzOutcome.Closed, CloseStatus: WebSocketCloseStatus.MessageTooBig),
            1 => InvalidUtf8Text(),
            2 => LoginRefused("random bytes before login", RandomBytes(null).Payload),
            3 => LoginRefused("login with wrong types", Bytes($"{{\"username\":{Pick(WrongTypes)},\"password\":{Pick(WrongTypes)}}}")),
            4 => LoginRefused("binary login", Bytes("{\"username\":\"test1\",\"password\":\"pass1\"}"), WebSocketMessageType.Binary),
            5 => LoginRefused("deeply nested login", Bytes("{\"username\":\"test1\",\"password\":\"pass1\",\"x\":" + new string('[', 100 + random.Next(5000)) + new string(']', 100) + "}")),
            6 => LoginRefused("login with trailing garbage", Bytes("{\"username\":\"test1\",\"password\":\"pass1\"}" + Pick(["x", "}", ",", "{}", "\u0000"]))),
            _ => LoginRefused("chat frame before login", Bytes($"{{\"thread\":\"t\",\"message\":{Json(RandomText(1, 50))}}}")),
        };
    }

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
                var (thread, message) = (RandomText(1, 30), RandomText(1, 200));
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
                return new FuzzCase("hub: GetHistory", Bytes(Record("\"GetHistory\"", $"[{Json(Pick([null, "t", RandomText(1, 10)]))},{Pick(["null", "0", "-5", "9223372036854775807"])},{random.Next(1, 501)}]")), WebSocketMessageType.Text, FuzzOutcome.Result, id);
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

    private FuzzCase RandomBytes(string? reference)
    {
        _ = reference;
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && bytes[0] == (byte)'{' && random.Next(2) == 0)
        {
            bytes[0] = (byte)'~';
        }

        // Bytes that are not UTF-8 text go out as a binary frame: a text frame must be UTF-8 (see InvalidUtf8Text).
        var type = IsUtf8(bytes) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        return new FuzzCase("random bytes", bytes, type, FuzzOutcome.Error);
    }

    private FuzzCase Truncated(string reference)
    {
        var whole = Encoding.UTF8.GetString(ValidFrame(reference, RandomText(1, 20), RandomText(1, 60)));
        var cut = random.Next(1, whole.Length - 1);
        if (char.IsLowSurrogate(whole[cut]))
        {
            cut--;
        }

        return new FuzzCase("truncated JSON", Bytes(whole[..cut]), WebSocketMessageType.Text, FuzzOutcome.Error);
    }

    private FuzzCase DeeplyNested(string reference, bool tooDeep)
    {
        // FrameReader reads to depth 64: far past it is invalid JSON (its ref unread), well within it is a valid frame.
        var depth = tooDeep ? 80 + random.Next(20_000) : 1 + random.Next(50);
        var nested = new string('[', depth) + new string(']', depth);
        if (tooDeep)
        {
            return new FuzzCase($"nested {depth} deep", Bytes($"{{\"thread\":\"t\",\"message\":\"m\",\"x\":{nested}}}"), WebSocketMessageType.Text, FuzzOutcome.Error);
        }

        var message = RandomText(1, 20);
        return new FuzzCase($"nested {depth} deep", Bytes($"{{\"thread\":\"nested\",\"message\":{Json(message)},\"ref\":{Json(reference)},\"x\":{nested}}}"), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: ("nested", message));
    }

    private FuzzCase HugeNumberInExtraField(string reference)
    {
        var message = RandomText(1, 20);
        var number = Pick(["1e999999999", "-1e-999999999", "123456789012345678901234567890123456789", "9223372036854775808", "0.000000000000000000000000000001"]);
        return new FuzzCase("huge number in an extra field", Bytes($"{{\"thread\":\"numbers\",\"message\":{Json(message)},\"ref\":{Json(reference)},\"id\":{number},\"since\":{number}}}"), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: ("numbers", message));
    }

    private FuzzCase WrongType(string reference)
    {
        var wrong = Pick(WrongTypes);
        var frame = random.Next(2) == 0
            ? $"{{\"thread\":{wrong},\"message\":\"m\",\"ref\":{Json(reference)}}}"
            : $"{{\"thread\":\"t\",\"message\":{wrong},\"ref\":{Json(reference)}}}";
        return new FuzzCase("wrong type", Bytes(frame), WebSocketMessageType.Text, FuzzOutcome.Error, reference);
    }

    private FuzzCase EscapedControlCharacters(string reference)
    {
        var message = string.Concat(Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)random.Next(0, 32))) + "end";
        return Valid(reference, "control\u001e" + (char)random.Next(1, 32), message, "escaped control characters");
    }

    private FuzzCase UnescapedControlCharacter()
    {
        var control = (char)random.Next(0, 32);
        return new FuzzCase("unescaped control character", Bytes($"{{\"thread\":\"t\",\"message\":\"a{control}b\"}}"), WebSocketMessageType.Text, FuzzOutcome.Error);
    }

    private FuzzCase LoneSurrogateEscape()
    {
        var escape = Pick(["\\ud800", "\\udfff", "\\ud800x", "\\udc00\\ud800"]);
        return new FuzzCase("lone surrogate escape", Bytes($"{{\"thread\":\"t\",\"message\":\"a{escape}\"}}"), WebSocketMessageType.Text, FuzzOutcome.Error);
    }

    private FuzzCase LengthEdge(string reference)
        => random.Next(4) switch
        {
            0 => Valid(reference, new string('t', maxThreadChars), "m", "thread of exactly the limit"),
            1 => new FuzzCase("thread one over the limit", ValidFrame(reference, new string('t', maxThreadChars + 1), "m"), WebSocketMessageType.Text, FuzzOutcome.Error, reference),
            2 => Valid(reference, "long", new string('m', maxMessageChars), "message of exactly the limit"),
            _ => new FuzzCase("message one over the limit", ValidFrame(reference, "long", new string('m', maxMessageChars + 1)), WebSocketMessageType.Text, FuzzOutcome.Error, reference),
        };

    private FuzzCase NonBmpLengthEdge(string reference)
    {
        // An emoji is two UTF-16 code units: the limit counts those.
        var fits = random.Next(2) == 0;
        var message = string.Concat(Enumerable.Repeat("😀", (maxMessageChars / 2) + (fits ? 0 : 1)));
        return fits
            ? Valid(reference, "emoji", message, "emoji message of exactly the limit")
            : new FuzzCase("emoji message one over the limit", ValidFrame(reference, "emoji", message), WebSocketMessageType.Text, FuzzOutcome.Error, reference);
    }

    private FuzzCase Binary()
    {
        var payload = random.Next(2) == 0 ? ValidFrame("b", "t", "binary but valid JSON") : RandomBytes(null).Payload;
        return new FuzzCase("binary frame", payload, WebSocketMessageType.Binary, FuzzOutcome.Error);
    }

    private FuzzCase EmptyOrBlank(string reference)
        => random.Next(3) switch
        {
            0 => new FuzzCase("empty frame", [], WebSocketMessageType.Text, FuzzOutcome.Error),
            1 => new FuzzCase("blank frame", Bytes(Pick([" ", "\r\n", "\t \t"])), WebSocketMessageType.Text, FuzzOutcome.Error),
            _ => new FuzzCase("empty thread or message", random.Next(2) == 0 ? ValidFrame(reference, "", "m") : ValidFrame(reference, "t", ""), WebSocketMessageType.Text, FuzzOutcome.Error, reference),
        };

    private FuzzCase TrailingGarbage(string reference)
    {
        var frame = Encoding.UTF8.GetString(ValidFrame(reference, "t", "m")) + Pick([" x", "}", ",", "{}", " \"a\"", "]"]);
        return new FuzzCase("trailing garbage", Bytes(frame), WebSocketMessageType.Text, FuzzOutcome.Error);
    }

    private FuzzCase NotAnObject()
        => new("not an object", Bytes(Pick(["null", "[]", "[{\"thread\":\"t\",\"message\":\"m\"}]", "\"text\"", "42", "true", "1e999999999"])), WebSocketMessageType.Text, FuzzOutcome.Error);

    private FuzzCase DuplicateKeys(string reference)
    {
        // The last of duplicate keys counts.
        var message = RandomText(1, 20);
        var frame = $"{{\"thread\":\"first\",\"message\":\"first\",\"thread\":\"dup\",\"message\":{Json(message)},\"ref\":{Json(reference)}}}";
        return new FuzzCase("duplicate keys", Bytes(frame), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: ("dup", message));
    }

    private static FuzzCase LoginFrameAfterLogin()
        => new("login frame after login", Bytes("{\"username\":\"test1\",\"password\":\"pass1\"}"), WebSocketMessageType.Text, FuzzOutcome.Error);

    private FuzzCase ForgedFields(string reference)
    {
        // from, sender, id and ts are the server's: a client's are ignored (from is checked in the history).
        var message = RandomText(1, 20);
        var frame = $"{{\"thread\":\"forged\",\"message\":{Json(message)},\"ref\":{Json(reference)},\"from\":\"admin\",\"sender\":\"admin\",\"id\":-1,\"ts\":\"1970-01-01T00:00:00.000Z\"}}";
        return new FuzzCase("forged from, sender, id, ts", Bytes(frame), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: ("forged", message));
    }

    private FuzzCase SizeEdgeInStream(string reference)
    {
        // 64 KiB and one byte under: still a frame (an extra field pads it), stored.
        var size = maxFrameBytes - random.Next(2);
        var message = RandomText(1, 20);
        var head = $"{{\"thread\":\"size\",\"message\":{Json(message)},\"ref\":{Json(reference)},\"pad\":\"";
        var frame = head + new string('p', size - Encoding.UTF8.GetByteCount(head) - 2) + "\"}";
        return new FuzzCase($"frame of {size} bytes", Bytes(frame), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: ("size", message));
    }

    private FuzzCase InvalidUtf8Text()
    {
        // RFC 6455: a text message that is not UTF-8 fails the connection. .NET's WebSocket does it for the server: it
        // sends 1007 and aborts the connection at once, so the client may see the abort before it reads the close.
        byte[] bad = Pick<byte[]>([[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]);
        byte[] payload = [.. "{\"thread\":\"t\",\"message\":\"a"u8.ToArray(), .. bad, .. "\"}"u8.ToArray()];
        return new FuzzCase("invalid UTF-8 text", payload, WebSocketMessageType.Text, FuzzOutcome.Closed, CloseStatus: WebSocketCloseStatus.InvalidPayloadData, MayAbort: true);
    }

    private static FuzzCase LoginRefused(string kind, byte[] payload, WebSocketMessageType type = WebSocketMessageType.Text)
        => new(kind, payload, IsUtf8(payload) ? type : WebSocketMessageType.Binary, FuzzOutcome.Closed, CloseStatus: WebSocketCloseStatus.PolicyViolation);

    private FuzzCase Valid(string reference, string thread, string message, string kind)
        => new(kind, ValidFrame(reference, thread, message), WebSocketMessageType.Text, FuzzOutcome.Stored, reference, Stored: (thread, message));

    private byte[] ValidFrame(string reference, string thread, string message)
    {
        var options = random.Next(2) == 0 ? Relaxed : JsonSerializerOptions.Default;
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["thread"] = thread, ["message"] = message, ["ref"] = reference }, options);
    }

    private static byte[] PaddedFrame(int size, string reference)
    {
        var head = $"{{\"thread\":\"t\",\"message\":\"m\",\"ref\":{Json(reference)},\"pad\":\"";
        return Bytes(head + new string('p', Math.Max(0, size - head.Length - 2)) + "\"}");
    }

    /// <summary>Text of <paramref name="min"/>–<paramref name="max"/> UTF-16 units (never a lone surrogate): words with quotes, escapes, control characters, non-ASCII.</summary>
    private string RandomText(int min, int max, bool ascii = false)
    {
        var target = random.Next(min, max + 1);
        var text = new StringBuilder();
        while (text.Length < target)
        {
            var piece = ascii ? ((char)random.Next('a', 'z' + 1)).ToString() : random.Next(3) == 0 ? Pick(Words) : ((char)random.Next(0x20, 0x7F)).ToString();
            if (text.Length + piece.Length > target)
            {
                piece = ((char)random.Next('a', 'z' + 1)).ToString();
            }

            text.Append(piece);
        }

        return text.ToString();
    }

    private T Pick<T>(T[] choices) => choices[random.Next(choices.Length)];

    private static string Json(string? value) => JsonSerializer.Serialize(value);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The seed of a run: <c>CHATTER_FUZZ_SEED</c> when set, a fresh one otherwise.</summary>
    public static int SeedFromEnvironment()
        => int.TryParse(Environment.GetEnvironmentVariable("CHATTER_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next();
}
