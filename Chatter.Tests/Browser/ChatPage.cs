using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Chatter.Tests.Browser;

/// <summary>
/// The chat page at <c>/</c> in one browser context, seen as a user sees it. It records what a test asserts on
/// besides the DOM: dialogs (an injected <c>alert</c> would open one), uncaught script errors, Content-Security-Policy
/// violations, and every WebSocket frame the page sent.
/// </summary>
public sealed class ChatPage
{
    public ChatPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            Dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.PageError += (_, error) => ScriptErrors.Enqueue(error);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                ScriptErrors.Enqueue(message.Text);
            }
        };
        page.WebSocket += (_, socket) =>
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            socket.Close += (_, _) => closed.TrySetResult();
            socket.FrameSent += (_, frame) => Record(SentFrames, frame.Text ?? "");
            socket.FrameReceived += (_, frame) => Record(ReceivedFrames, frame.Text ?? "");
            lock (socketsClosed)
            {
                socketsClosed.Add(closed.Task);
            }
        };
    }

    private readonly List<Task> socketsClosed = [];
    private readonly List<(ConcurrentQueue<string> Frames, Func<string, bool> Match, TaskCompletionSource<string> Found)> frameWaiters = [];

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public ConcurrentQueue<string> Dialogs { get; } = new();

    public ConcurrentQueue<string> ScriptErrors { get; } = new();

    /// <summary>Text frames the page sent on any of its WebSockets, in order.</summary>
    public ConcurrentQueue<string> SentFrames { get; } = new();

    /// <summary>Text frames the page received on any of its WebSockets, in order.</summary>
    public ConcurrentQueue<string> ReceivedFrames { get; } = new();

    /// <summary>One task per WebSocket the page opened, in order, each completed when that socket closed.</summary>
    public IReadOnlyList<Task> SocketsClosed
    {
        get
        {
            lock (socketsClosed)
            {
                return [.. socketsClosed];
            }
        }
    }

    /// <summary>
    /// The first frame of <paramref name="frames"/> (<see cref="SentFrames"/> or <see cref="ReceivedFrames"/>) that
    /// <paramref name="match"/> accepts, recorded already or later; waits at most <paramref name="timeout"/>.
    /// </summary>
    public Task<string> FrameAsync(ConcurrentQueue<string> frames, Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (frameWaiters)
        {
            var seen = frames.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            frameWaiters.Add((frames, match, found));
        }

        return found.Task.WaitAsync(timeout, cancellationToken);
    }

    private void Record(ConcurrentQueue<string> frames, string frame)
    {
        lock (frameWaiters)
        {
            frames.Enqueue(frame);
            foreach (var waiter in frameWaiters.Where(w => w.Frames == frames && w.Match(frame)).ToList())
            {
                waiter.Found.TrySetResult(frame);
                frameWaiters.Remove(waiter);
            }
        }
    }

    public ILocator Status => Page.Locator("#status");

    public ILocator LoginError => Page.Locator("#login-error");

    public ILocator Notice => Page.Locator("#notice");

    public ILocator ChatView => Page.Locator("#chat-view");

    /// <summary>The notice that a reconnect could not bring back everything missed.</summary>
    public ILocator GapNotice => Page.Locator("#gap-notice");

    public ILocator LoadEarlier => Page.GetByRole(AriaRole.Button, new() { Name = "Load earlier messages" });

    public ILocator MessageBox => Page.Locator("#message");

    /// <summary>The thread list's button for <paramref name="thread"/> (test thread names are plain words).</summary>
    public ILocator ThreadButton(string thread) => Page.Locator($"#thread-list button[data-thread=\"{thread}\"]");

    /// <summary>The unread count shown on <paramref name="thread"/>'s button ("" when none).</summary>
    public ILocator Unread(string thread) => ThreadButton(thread).Locator(".unread");

    /// <summary>The "Direct messages" list's button for the conversation with <paramref name="user"/> (thread "@user").</summary>
    public ILocator DirectButton(string user) => Page.Locator($"#dm-list button[data-thread=\"@{user}\"]");

    /// <summary>Every entry of the "Direct messages" list.</summary>
    public ILocator DirectEntries => Page.Locator("#dm-list button.thread");

    /// <summary>"alice is typing…" under the thread shown ("" when nobody is).</summary>
    public ILocator Typing => Page.Locator("#typing");

    /// <summary>The messages of <paramref name="thread"/>, in the page's order.</summary>
    public ILocator Messages(string thread) => Page.Locator($"ol.messages[data-thread=\"{thread}\"] > li.message");

    /// <summary>The texts of <paramref name="thread"/>'s messages.</summary>
    public ILocator Texts(string thread) => Messages(thread).Locator(".text");

    public Task GotoAsync() => Page.GotoAsync("/");

    /// <summary>Fills the login form and submits it; does not wait for the outcome.</summary>
    public async Task SubmitLoginAsync(string user, string password)
    {
        await Page.GetByLabel("User name").FillAsync(user);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
    }

    /// <summary>Logs in and waits until the page is online with its chat view shown.</summary>
    public async Task LoginAsync(string user, string password)
    {
        await SubmitLoginAsync(user, password);
        await Assertions.Expect(Status).ToHaveTextAsync("Online");
        await Assertions.Expect(ChatView).ToBeVisibleAsync();
    }

    /// <summary>Opens (and selects) a thread through the "New thread" box.</summary>
    public async Task OpenThreadAsync(string thread)
    {
        await Page.GetByLabel("New thread").FillAsync(thread);
        await Page.GetByLabel("New thread").PressAsync("Enter");
        await Assertions.Expect(Page.Locator("#thread-title")).ToHaveTextAsync(thread);
    }

    /// <summary>Opens (and selects) the direct message thread "@user" through the "Message…" box.</summary>
    public async Task OpenDirectAsync(string user)
    {
        await Page.GetByLabel("Message…").FillAsync(user);
        await Page.GetByLabel("Message…").PressAsync("Enter");
        await Assertions.Expect(Page.Locator("#thread-title")).ToHaveTextAsync("@" + user.TrimStart('@'));
    }

    public async Task SelectThreadAsync(string thread)
    {
        await ThreadButton(thread).ClickAsync();
        await Assertions.Expect(Page.Locator("#thread-title")).ToHaveTextAsync(thread);
    }

    /// <summary>Types <paramref name="text"/> in the message box and presses Enter.</summary>
    public async Task SendAsync(string text)
    {
        await MessageBox.FillAsync(text);
        await MessageBox.PressAsync("Enter");
    }
}
