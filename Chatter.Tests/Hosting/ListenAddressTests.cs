using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chatter.Server.Hosting;
using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Chatter.Tests.Hosting;

/// <summary>
/// Every way ASP.NET Core takes an address works, in its documented order (Kestrel:Endpoints over urls over
/// HTTP/HTTPS ports; --urls over URLS over ASPNETCORE_URLS); with none, the original's http://0.0.0.0:8000. Each case
/// is a real Chatter.Server process on a free port, and the test asks it for <c>/healthz</c> there.
/// </summary>
[CancelAfter(120_000)]
public class ListenAddressTests
{
    private DirectoryInfo directory = null!;

    [SetUp]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("chatter-address-");

    [TearDown]
    public void DeleteDirectory() => directory.Delete(recursive: true);

    [Test]
    public async Task CommandLineUrlsIsTheAddress(CancellationToken ct)
    {
        var port = FreePort();
        await AssertListensOnlyOnAsync(Start([], "--urls", $"http://127.0.0.1:{port}"), port, ct);
    }

    [TestCase("ASPNETCORE_URLS")]
    [TestCase("DOTNET_URLS")]
    [TestCase("URLS")]
    public async Task UrlsVariableIsTheAddress(string variable, CancellationToken ct)
    {
        var port = FreePort();
        await AssertListensOnlyOnAsync(Start(new() { [variable] = $"http://127.0.0.1:{port}" }), port, ct);
    }

    [Test]
    public async Task HttpPortsVariableListensOnEveryInterface(CancellationToken ct)
    {
        var port = FreePort();
        var listening = await AssertListensOnlyOnAsync(Start(new() { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }), port, ct);
        Assert.That(listening.Host, Is.AnyOf("[::]", "0.0.0.0"));
    }

    [Test]
    public async Task HttpsPortsVariableListensWithTheDefaultCertificate(CancellationToken ct)
    {
        using var certificate = TlsTests.CreateSelfSigned();
        var pfx = Path.Combine(directory.FullName, "chatter.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"), ct);
        var port = FreePort();

        var listening = await AssertListensOnlyOnAsync(
            Start(new()
            {
                ["ASPNETCORE_HTTPS_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Kestrel__Certificates__Default__Path"] = pfx,
                ["Kestrel__Certificates__Default__Password"] = "test-password",
            }),
            port,
            ct,
            https: true,
            pinned: certificate.GetCertHashString(HashAlgorithmName.SHA256));
        Assert.That(listening.Scheme, Is.EqualTo("https"));
    }

    [Test]
    public async Task KestrelEndpointsAreTheAddress(CancellationToken ct)
    {
        var port = FreePort();
        await AssertListensOnlyOnAsync(Start(new() { ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{port}" }), port, ct);
    }

    [Test]
    public async Task CommandLineUrlsOutranksTheAspNetCoreUrlsVariable(CancellationToken ct)
    {
        var (winner, loser) = (FreePort(), FreePort());
        await AssertListensOnlyOnAsync(Start(new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{loser}" }, "--urls", $"http://127.0.0.1:{winner}"), winner, ct);
    }

    [Test]
    public async Task UrlsOutrankHttpPorts(CancellationToken ct)
    {
        var (winner, loser) = (FreePort(), FreePort());
        await AssertListensOnlyOnAsync(
            Start(new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{winner}", ["ASPNETCORE_HTTP_PORTS"] = loser.ToString(System.Globalization.CultureInfo.InvariantCulture) }), winner, ct);
    }

    [Test]
    public async Task KestrelEndpointsOutrankCommandLineUrls(CancellationToken ct)
    {
        var (winner, loser) = (FreePort(), FreePort());
        await AssertListensOnlyOnAsync(Start(new() { ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{winner}" }, "--urls", $"http://127.0.0.1:{loser}"), winner, ct);
    }

    /// <summary>
    /// Nothing configured: the process says it listens on http://0.0.0.0:8000. It runs in a network namespace of its own
    /// (<c>unshare -rn</c>), where port 8000 is free whatever runs on this machine; without user namespaces only when
    /// port 8000 is free here. Nothing is asked of it (its loopback is not this one): that it answers where it listens
    /// is what the other cases show.
    /// </summary>
    [Test]
    public async Task WithNoAddressConfiguredItListensOnAllInterfacesOnPort8000(CancellationToken ct)
    {
        var start = Start([]);
        if (await CanUnshareNetworkAsync(ct))
        {
            start.ArgumentList.Insert(0, "-rn");
            start.ArgumentList.Insert(1, start.FileName);
            start.FileName = "unshare";
        }
        else if (!IsFree(8000))
        {
            Assert.Ignore("port 8000 is taken here and `unshare -rn` (a private network namespace) is not available");
        }

        await using var server = await ChatterProcess.StartAsync(start, ct);

        Assert.That(server.ListeningUri, Is.EqualTo(new Uri(ChatterListenAddress.Default)));
    }

    [Test]
    public void TheDefaultAppliesOnlyWhenNoAddressIsConfigured()
    {
        Assert.That(ConfiguredUrls([]), Is.EqualTo(ChatterListenAddress.Default));
        Assert.Multiple(() =>
        {
            foreach (var (key, value) in new[] { ("urls", "http://127.0.0.1:1"), ("http_ports", "1"), ("https_ports", "1"), ("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:1") })
            {
                Assert.That(ConfiguredUrls(new() { [key] = value }), Is.EqualTo(key == "urls" ? value : null), key);
            }
        });
    }

    [Test]
    public void TheShippedAppSettingsNameNoAddress()
    {
        // An address there would outrank ASPNETCORE_URLS and ASPNETCORE_HTTP_PORTS, as "Urls" did.
        var settings = new ConfigurationBuilder().AddJsonFile(RepositoryFiles.PathOf("Chatter.Server/appsettings.json")).Build();

        Assert.That(ChatterListenAddress.IsConfigured(settings), Is.False);
    }

    private static string? ConfiguredUrls(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ListenOnDefaultAddressUnlessConfigured();
        return builder.Configuration["urls"];
    }

    private ProcessStartInfo Start(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = ChatterProcess.StartInfo(directory.FullName, arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>
    /// Starts the process, checks that every address it reports has <paramref name="port"/> and that it answers there,
    /// stops it; returns the address it reported first.
    /// </summary>
    private static async Task<Uri> AssertListensOnlyOnAsync(
        ProcessStartInfo start, int port, CancellationToken ct, bool https = false, string? pinned = null)
    {
        var server = await ChatterProcess.StartAsync(start, ct);
        try
        {
            await server.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(30), ct);
            var listening = server.Output.Split('\n').Where(line => line.Contains("Now listening on", StringComparison.Ordinal)).ToList();
            Assert.That(listening, Is.Not.Empty.And.All.Contain($":{port}"), server.Output);

            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString(HashAlgorithmName.SHA256) == pinned };
            using var http = new HttpClient(handler);
            using var response = await http.GetAsync(new Uri($"{(https ? "https" : "http")}://127.0.0.1:{port}/healthz"), ct);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return server.ListeningUri;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> CanUnshareNetworkAsync(CancellationToken ct)
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", ["-rn", "true"]) { RedirectStandardError = true })!;
            await probe.WaitForExitAsync(ct);
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
