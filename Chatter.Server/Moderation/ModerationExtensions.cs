using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Moderation;

/// <summary>Moderation (<c>Chatter:Admins</c>, <c>Chatter:KickMinutes</c>): the kick list, the admin actions, <c>POST /api/admin/kick</c>.</summary>
public static class ModerationExtensions
{
    /// <summary>
    /// Binds and validates the options; the kick list (in Redis across nodes when <c>Chatter:Redis</c> is configured,
    /// else this node's); the <see cref="Moderator"/>; the <see cref="NotKickedRequirement.PolicyName"/> policy; and the
    /// hub filter that closes a connection kicked while it was being opened, after the limits' filters (so after
    /// revocation's).
    /// </summary>
    public static WebApplicationBuilder AddChatterModeration(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        services.AddOptions<ModerationOptions>().BindConfiguration(ModerationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModerationOptions>, ModerationOptionsValidator>();
        services.AddHostedService<AdminNamesCheck>();

        services.AddSingleton<MemoryKickList>();
        if (redis.IsConfigured)
        {
            services.AddSingleton<RedisKickList>();
            services.AddSingleton<IKickList>(provider => provider.GetRequiredService<RedisKickList>());
            services.AddHostedService(provider => provider.GetRequiredService<RedisKickList>());
        }
        else
        {
            services.AddSingleton<IKickList>(provider => provider.GetRequiredService<MemoryKickList>());
        }

        services.AddSingleton<Moderator>();
        services.AddSingleton<IAuthorizationHandler, NotKickedHandler>();
        services.AddAuthorizationBuilder().AddPolicy(NotKickedRequirement.PolicyName, policy => policy
            .RequireAuthenticatedUser()
            .AddRequirements(new NotKickedRequirement()));
        services.AddSingleton<KickHubFilter>();
        services.Configure<HubOptions>(hub => hub.AddFilter<KickHubFilter>());
        return builder;
    }

    /// <summary><c>POST /api/admin/kick</c> (<see cref="AdminKickEndpoint"/>), an admin's bearer token required.</summary>
    public static IEndpointConventionBuilder MapChatterModeration(this WebApplication app)
        => app.MapPost("/api/admin/kick", AdminKickEndpoint.KickAsync).RequireAuthorization(NotKickedRequirement.PolicyName);
}
