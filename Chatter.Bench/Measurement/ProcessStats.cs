using System.Globalization;

namespace Chatter.Bench.Measurement;

/// <summary>
/// CPU time and resident memory of a process on this machine, read from <c>/proc/PID</c> (Linux); and the process
/// listening on a TCP port, found through <c>/proc/net/tcp</c> and the socket inodes in <c>/proc/*/fd</c>.
/// </summary>
internal static class ProcessStats
{
    // /proc/PID/stat counts in USER_HZ, which is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>The process's user + system CPU time and VmRSS, or null when it cannot be read (gone, not Linux).</summary>
    public static ProcessSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcessSample(TimeSpan.FromSeconds(ticks / TicksPerSecond), ReadStatusKilobytes(pid, "VmRSS:") * 1024);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The id of the process listening on 127.0.0.1/0.0.0.0/[::] <paramref name="port"/>, or null.</summary>
    public static int? FindListener(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is the tenth column.
                if (columns.Length > 9 && columns[3] == "0A" && int.Parse(columns[1][(columns[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add($"socket:[{columns[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that ended while being read.
            }
        }

        return null;
    }

    /// <summary>The soft limit of open files of <paramref name="pid"/> (<c>self</c> when null), from <c>/proc/PID/limits</c>.</summary>
    public static long? OpenFilesLimit(int? pid = null)
    {
        var path = $"/proc/{(pid is null ? "self" : pid.Value.ToString(CultureInfo.InvariantCulture))}/limits";
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static long ReadStatusKilobytes(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
