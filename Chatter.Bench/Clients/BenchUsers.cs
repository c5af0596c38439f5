using System.Security.Cryptography;
using System.Text.Json;

namespace Chatter.Bench.Clients;

/// <summary>
/// Load users: <c>load0001</c>… with random plain passwords, in the users.json format (<c>{"name": "password"}</c>).
/// Client <c>i</c> logs in as user <c>i mod count</c>, so every client of a run is its own user when the file is large enough.
/// </summary>
internal sealed class BenchUsers(IReadOnlyList<KeyValuePair<string, string>> users)
{
    public int Count => users.Count;

    public KeyValuePair<string, string> this[int client] => users[client % users.Count];

    /// <summary><paramref name="count"/> new users named <c>load0001</c>, <c>load0002</c>, … with 16-character random passwords.</summary>
    public static BenchUsers Generate(int count, string prefix = "load")
    {
        var width = Math.Max(4, count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        return new BenchUsers(Enumerable.Range(1, count)
            .Select(i => KeyValuePair.Create(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0'), "pw-" + RandomNumberGenerator.GetHexString(16, lowercase: true)))
            .ToList());
    }

    /// <summary>Reads a users file (the server's format); plain passwords only.</summary>
    public static BenchUsers Load(string path)
    {
        var users = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"users file '{path}' holds no users");
        if (users.Count == 0)
        {
            throw new InvalidDataException($"users file '{path}' holds no users");
        }

        return new BenchUsers(users.OrderBy(u => u.Key, StringComparer.Ordinal).ToList());
    }

    /// <summary>The users as one JSON object, the users.json format.</summary>
    public string ToJson() => JsonSerializer.Serialize(users.ToDictionary(u => u.Key, u => u.Value), IndentedOptions);

    public IReadOnlyDictionary<string, string> ToDictionary() => users.ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal);

    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true };
}
