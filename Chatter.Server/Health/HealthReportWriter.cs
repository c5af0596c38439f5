using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chatter.Server.Health;

/// <summary>
/// <c>/readyz</c>'s body: the overall status and each check's status and description, so an operator sees which
/// dependency is down (never exception details).
/// </summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, report.Status.ToString());
            writer.WriteStartObject("checks"u8);
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("status"u8, entry.Status.ToString());
                writer.WriteString("description"u8, entry.Description);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }
}
