using Chatter.Bench.Scenarios;
using Spectre.Console;

namespace Chatter.Bench.Reporting;

/// <summary>
/// Shows a scenario's <see cref="RunProgress"/> while it runs: a Spectre.Console status line on a terminal, or a plain
/// line on standard error every few seconds when the output is redirected (so logs of a CI run still show progress).
/// </summary>
internal static class LiveProgress
{
    public static async Task<T> RunAsync<T>(IAnsiConsole console, RunProgress progress, Func<Task<T>> work)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            return await console.Status().Spinner(Spinner.Known.Dots).StartAsync(progress.Describe(), async context =>
            {
                var task = work();
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
                while (!task.IsCompleted)
                {
                    await Task.WhenAny(task, timer.WaitForNextTickAsync().AsTask());
                    context.Status(Markup.Escape(progress.Describe()));
                }

                return await task;
            });
        }

        var running = work();
        using var plain = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, plain.WaitForNextTickAsync().AsTask());
            if (!running.IsCompleted)
            {
                await Console.Error.WriteLineAsync(progress.Describe());
            }
        }

        return await running;
    }
}
