using System.Text;
using System.Text.Json;

namespace Chatter.Server.Authentication;

/// <summary>Reads <c>users.json</c>: one JSON object, <c>{"name": "password"}</c>, as the original server had it.</summary>
internal static class UsersFile
{
    /// <summary>Parses the file's bytes; a <see cref="InvalidDataException"/> says which file and where it is broken.</summary>
    public static Dictionary<string, byte[]> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        var users = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException($"users file '{path}' is malformed: it must hold one JSON object of \"name\": \"password\" pairs");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new InvalidDataException($"users file '{path}' is malformed: the password of user '{name}' must be a string (byte offset {reader.TokenStartIndex})");
                }

                if (name.Length == 0)
                {
                    throw new InvalidDataException($"users file '{path}' is malformed: a user name is empty (byte offset {reader.TokenStartIndex})");
                }

                users[name] = Encoding.UTF8.GetBytes(reader.GetString()!);
            }

            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"users file '{path}' is malformed at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }

        return users;
    }
}
