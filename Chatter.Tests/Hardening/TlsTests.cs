using System.Net.Http.Json;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Hardening;

/// <summary>
/// HTTPS/WSS is Kestrel configuration only (README, "Security"): an endpoint with a certificate file. Both
/// transports work over it with a generated self-signed certificate, which the clients pin.
/// </summary>
[CancelAfter(60_000)]
public class TlsTests
{
    [Test]
    public async Task RawAndSignalRClientsChatOverTls(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("chatter-tls-");
        try
        {
            using var certificate = CreateSelfSigned();
            var pfx = Path.Combine(directory.FullName, "chatter.pfx");
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"), ct);

            await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
            {
                ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
                ["Kestrel:Endpoints:Https:Certificate:Path"] = pfx,
                ["Kestrel:Endpoints:Https:Certificate:Password"] = "test-password",
            });
            Assert.That(server.WsUri.Scheme, Is.EqualTo("wss"));

            // The clients trust exactly this certificate, nothing else.
            var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            bool Pinned(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
                => presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint;

            await using var raw = await RawChatClient.ConnectAsync(server.WsUri, invoker: null, options => options.RemoteCertificateValidationCallback = Pinned, ct);
            await raw.LoginAsync("test1", "pass1", cancellationToken: ct);
            Assert.That(await raw.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));

            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint };
            using var http = new HttpClient(handler) { BaseAddress = server.HttpUri };
            using var response = await http.PostAsJsonAsync("/api/token", new TokenRequest("test2", "pass2"), ct);
            var token = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, ct))!.Token;

            await using var hub = new HubConnectionBuilder()
                .WithUrl(server.HubUri, options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    options.HttpMessageHandlerFactory = inner =>
                    {
                        ((HttpClientHandler)inner).ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint;
                        return inner;
                    };
                    options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = Pinned;
                })
                .Build();
            var received = new TaskCompletionSource<ChatMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.On<ChatMessage>("ReceiveMessage", m => received.TrySetResult(m));
            await hub.StartAsync(ct);

            await raw.SendChatAsync("tls", "over wss", cancellationToken: ct);
            Assert.That((await received.Task.WaitAsync(RawChatClient.DefaultTimeout, ct)).Message, Is.EqualTo("over wss"));
            await hub.InvokeAsync<ChatMessage>("SendMessage", "tls", "over https", ct);
            Assert.That((await raw.ReceiveMessageAsync(ct)).Message, Is.EqualTo("over https"));

            // Without the pin the self-signed certificate is not trusted: TLS is really in the path.
            using var untrusting = new ClientWebSocket();
            Assert.That(async () => await untrusting.ConnectAsync(server.WsUri, ct), Throws.InstanceOf<WebSocketException>());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, valid for a day.</summary>
    internal static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
