using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chatter.Tests.Hardening;

/// <summary>The hostile raw frames, one method per kind.</summary>
internal sealed partial class FuzzFrameGenerator
{
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
        var whole = Encoding.UTF8.GetString(ValidFrame(reference, RandomThread(20), RandomText(1, 60)));
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
}
