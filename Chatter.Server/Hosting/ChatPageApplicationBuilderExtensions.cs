namespace Chatter.Server.Hosting;

/// <summary>The browser chat client: the files of <c>wwwroot</c> served at <c>/</c>.</summary>
public static class ChatPageApplicationBuilderExtensions
{
    /// <summary>
    /// Scripts only from this server, none inline; the page may open WebSockets to its own server
    /// (<c>'self'</c> covers <c>ws:</c>/<c>wss:</c> of the same host in current browsers; the schemes are listed
    /// for those that do not); no framing, no plugins, no forms posted elsewhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ws: wss:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary><c>GET /</c> → <c>wwwroot/index.html</c>, and the page's scripts and styles, with security headers.</summary>
    public static WebApplication UseChatPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = static context => AddHeaders(context.Context.Response.Headers) });
        return app;
    }

    private static void AddHeaders(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // The page is small and changes with the server: revalidate instead of running a stale script.
        headers.CacheControl = "no-cache";
    }
}
