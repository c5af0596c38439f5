using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.Http.Features;

namespace Chatter.Server.Hosting;

/// <summary>The JSON bodies of Chatter's HTTP endpoints (<c>/api/token</c>, <c>/api/admin/kick</c>): read within a size bound, errors as <c>{"error"}</c>.</summary>
internal static class JsonBody
{
    /// <summary>
    /// Reads the request's body as <typeparamref name="T"/>, at most <paramref name="maxBytes"/> bytes: the value (null for
    /// a JSON <c>null</c>), or the answer for a body that is not JSON (400) or too large (413).
    /// </summary>
    public static async Task<(T? Value, IResult? Refusal)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, int maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        try
        {
            return (await context.Request.ReadFromJsonAsync(type, context.RequestAborted), null);
        }
        catch (JsonException)
        {
            return (default, Error(StatusCodes.Status400BadRequest, FrameError.InvalidJson));
        }
        catch (InvalidOperationException)
        {
            // ReadFromJsonAsync: the request is not JSON (no or another content type).
            return (default, Error(StatusCodes.Status400BadRequest, "the body must be JSON (Content-Type: application/json)"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Error(StatusCodes.Status413PayloadTooLarge, "the body is too large"));
        }
    }

    /// <summary><c>{"error":"reason"}</c> with <paramref name="status"/>.</summary>
    public static IResult Error(int status, string reason)
        => Results.Json(new ErrorResponse(reason), ProtocolJsonContext.Default.ErrorResponse, statusCode: status);
}
