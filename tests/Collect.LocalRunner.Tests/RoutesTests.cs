using Collect.Core.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Collect.LocalRunner.Tests;

/// <summary>The runner serves exactly the shared route list (the Functions tests check the same list against functions.metadata).</summary>
public sealed class RoutesTests
{
    [Fact]
    public async Task The_runner_maps_exactly_the_products_routes()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();
        app.MapCollectRoutes();

        var routes = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            // The runner's own conveniences: its health probe and /ops, a redirect to the console at /api/ops.
            .Where(endpoint => endpoint.RoutePattern.RawText is not ("/healthz" or "/ops"))
            .Select(endpoint => (Method: Assert.Single(endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods),
                Route: endpoint.RoutePattern.RawText!))
            .Order();

        Assert.Equal(CollectRoutes.All.Select(r => (r.Method, $"/{CollectRoutes.Prefix}/{r.Route}")).Order(), routes);
    }
}
