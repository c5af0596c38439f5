using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chatter.Tests.Browser;

/// <summary>
/// Tests of the chat page in a real headless Chromium (Debian's, found on PATH; Playwright's own browser downloads
/// are never used). One browser per fixture, a fresh context per page. After each test every page is saved as a
/// screenshot attached to the test result (before the test's servers stop, so it shows the page as the test left it),
/// and the test fails if a page raised a script error or a CSP violation.
/// Subclasses carry <c>[CancelAfter]</c> themselves (the attribute is not inherited).
/// </summary>
public abstract class BrowserTestBase
{
    /// <summary>Bound of every Playwright action and auto-waiting assertion (the machine may be loaded).</summary>
    protected const int TimeoutMs = 20_000;

    /// <summary>Bound of a wait for a WebSocket frame of a page (<see cref="ChatPage.FrameAsync"/>).</summary>
    protected static readonly TimeSpan FrameTimeout = TimeSpan.FromMilliseconds(TimeoutMs);

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        // Without these, Chromium's own background requests (updates, sync, field trials) fail on a closed network,
        // and its connections to the test server are refused along with them.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private readonly List<ChatPage> pages = [];
    private readonly List<ChatterServer> servers = [];
    private IPlaywright? playwright;
    private IBrowser? browser;

    protected IBrowser Browser => browser ?? throw new InvalidOperationException("Chromium is not running");

    [OneTimeSetUp]
    public async Task LaunchChromiumAsync()
    {
        var chromium = FindOnPath("chromium");
        if (chromium is null)
        {
            Assert.Ignore("chromium not found on PATH; install it with: apt-get install -y chromium");
        }

        Assertions.SetDefaultExpectTimeout(TimeoutMs);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
    }

    [OneTimeTearDown]
    public async Task CloseChromiumAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A test server, stopped after the test's screenshots are taken.</summary>
    protected async Task<ChatterServer> StartServerAsync(IReadOnlyDictionary<string, string?>? settings = null, string? directory = null, bool writeUsersFile = true)
    {
        var server = await ChatterServer.StartAsync(settings, directory: directory, writeUsersFile: writeUsersFile);
        servers.Add(server);
        return server;
    }

    /// <summary>
    /// A new page (its own context: own storage, own connection) showing <paramref name="server"/>'s <c>/</c>. With
    /// <paramref name="fakeClock"/>, the page's timers and clocks are Playwright's (<c>Page.Clock</c>), installed before
    /// the page loads: time flows until the test pauses it.
    /// </summary>
    protected async Task<ChatPage> OpenPageAsync(ChatterServer server, int width = 1280, int height = 800, bool fakeClock = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = server.HttpUri.ToString(),
            ViewportSize = new() { Width = width, Height = height },
        });
        context.SetDefaultTimeout(TimeoutMs);
        if (fakeClock)
        {
            await context.Clock.InstallAsync();
        }

        var page = new ChatPage(context, await context.NewPageAsync());
        pages.Add(page);
        await page.GotoAsync();
        return page;
    }

    /// <summary>A new page logged in as <paramref name="user"/> (a user of <see cref="ChatterServer.DefaultUsers"/>).</summary>
    protected async Task<ChatPage> OpenLoggedInPageAsync(ChatterServer server, string user, int width = 1280, int height = 800, bool fakeClock = false)
    {
        var page = await OpenPageAsync(server, width, height, fakeClock);
        await page.LoginAsync(user, ChatterServer.DefaultUsers[user]);
        return page;
    }

    /// <summary>A new page whose <c>/ws/chat</c> connections go through a <see cref="WebSocketRelay"/>, logged in as <paramref name="user"/>.</summary>
    protected async Task<(ChatPage Page, WebSocketRelay Relay)> OpenRelayedPageAsync(ChatterServer server, string user)
    {
        var page = await OpenPageAsync(server);
        var relay = await WebSocketRelay.AttachAsync(page.Page);
        await page.LoginAsync(user, ChatterServer.DefaultUsers[user]);
        return (page, relay);
    }

    [TearDown]
    public async Task SaveScreenshotsAndCloseAsync()
    {
        var test = TestContext.CurrentContext.Test;
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var errors = new List<string>();
        try
        {
            for (var i = 0; i < pages.Count; i++)
            {
                var path = Path.Combine(directory, $"{test.ClassName}.{test.Name}.page{i + 1}.png");
                await pages[i].Page.ScreenshotAsync(new() { Path = path, FullPage = true });
                TestContext.AddTestAttachment(path, $"page {i + 1} at the end of {test.Name}");
                errors.AddRange(pages[i].ScriptErrors);
            }
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.Context.CloseAsync();
            }

            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            pages.Clear();
            servers.Clear();
        }

        Assert.That(errors, Is.Empty, "script errors or Content-Security-Policy violations on the page");
    }

    private static string? FindOnPath(string program)
        => (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
