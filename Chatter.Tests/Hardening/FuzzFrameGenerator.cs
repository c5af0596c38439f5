using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Generates hostile frames for <c>/ws/chat</c> and for the hub's JSON protocol from one seed, so a run is reproducible.
/// Each case carries the answer the wire contract defines for it; the kinds stay clear of the edges where the contract
/// leaves the answer open (a valid frame whose <c>ref</c> is not a string gets no answer at all, so there is none).
/// </summary>
internal sealed partial class FuzzFrameGenerator(int seed, int maxFrameBytes, int maxMessageChars, int maxThreadChars)
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
            10 => Valid(reference, RandomThread(40), RandomText(1, 300), "valid"),
            11 => EmptyOrBlank(reference),
            12 => TrailingGarbage(reference),
            13 => NotAnObject(),
            14 => DuplicateKeys(reference),
            15 => LoginFrameAfterLogin(),
            16 => ForgedFields(reference),
            17 => NonBmpLengthEdge(reference),
            _ => random.Next(50) == 0 ? SizeEdgeInStream(reference) : Valid(reference, RandomThread(20), RandomText(1, 100), "valid"),
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

    /// <summary>A public thread's name: random text that does not start with <c>@</c> (which names a direct message).</summary>
    private string RandomThread(int max)
    {
        var text = RandomText(1, max);
        return text[0] == '@' ? "t" + text[1..] : text;
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
