using System.Text.Json;

namespace Chatter.Server.Authentication;

/// <summary>
/// Reads and writes <c>users.json</c>: one JSON object, <c>{"name": "password or hash"}</c>. A value is a
/// <see cref="PasswordHash"/> when it starts with <c>pbkdf2-sha256$</c>, otherwise a plain password.
/// </summary>
internal static class UsersFile
{
    /// <summary>The entries in file order, values as written; a later duplicate replaces an earlier one in place.</summary>
    public static List<KeyValuePair<string, string>> ReadEntries(ReadOnlySpan<byte> utf8, string path)
    {
        var entries = new List<KeyValuePair<string, string>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
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

                var entry = KeyValuePair.Create(name, reader.GetString()!);
                if (index.TryGetValue(name, out var at))
                {
                    entries[at] = entry;
                }
                else
                {
                    index[name] = entries.Count;
                    entries.Add(entry);
                }
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

        return entries;
    }

    /// <summary>
    /// Parses the file's bytes; a <see cref="InvalidDataException"/> says which file and which user is broken (never the
    /// secret). Plain passwords are hashed in memory with the file's most iterations, so that every user's check costs
    /// the same (<see cref="StoredPassword.WithCostOf"/>).
    /// </summary>
    public static Dictionary<string, StoredPassword> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        var entries = ReadEntries(utf8, path);
        var users = new Dictionary<string, StoredPassword>(StringComparer.Ordinal);
        foreach (var (name, value) in entries)
        {
            users[name] = ToStoredPassword(name, value, path);
        }

        var strongest = users.Values.Max(p => (int?)p.Iterations) ?? 0;
        if (strongest > 0)
        {
            foreach (var (name, value) in entries)
            {
                users[name] = users[name].WithCostOf(strongest, value);
            }
        }

        return users;
    }

    /// <summary>A value of the file as a password: a valid hash, or (without the hash prefix) a plain password.</summary>
    public static StoredPassword ToStoredPassword(string name, string value, string path)
    {
        if (!PasswordHash.LooksLikeHash(value))
        {
            return StoredPassword.Plain(value);
        }

        return PasswordHash.TryParse(value, out var hash)
            ? StoredPassword.Hashed(hash, value)
            : throw new InvalidDataException(
                $"users file '{path}' is malformed: the password hash of user '{name}' is not valid " +
                $"(expected {PasswordHash.Prefix}ITERATIONS$SALT$HASH with {PasswordHash.MinIterations} to {PasswordHash.MaxIterations} iterations)");
    }

    /// <summary>
    /// The file that <paramref name="path"/> names: its final target when it is a symbolic link (possibly dangling),
    /// else itself; always a full path.
    /// </summary>
    public static string TargetOf(string path)
    {
        var full = Path.GetFullPath(path);
        return new FileInfo(full).LinkTarget is null ? full : File.ResolveLinkTarget(full, returnFinalTarget: true)!.FullName;
    }

    /// <summary>
    /// Replaces the file with <paramref name="entries"/>, atomically: a temporary file beside it, flushed to
    /// disk, then renamed over it, so a reader (the running server) sees the old file or the new one, never
    /// half of one. A symbolic link stays a link: its target is the file replaced. The file keeps its
    /// permissions; a new file is readable by its owner only.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> entries)
    {
        var target = TargetOf(path);
        var directory = Path.GetDirectoryName(target)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var mode = File.Exists(target) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(target) : UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, create))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    writer.WriteStartObject();
                    foreach (var (name, value) in entries)
                    {
                        writer.WriteString(name, value);
                    }

                    writer.WriteEndObject();
                }

                stream.Write("\n"u8);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
