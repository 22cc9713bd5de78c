using Collect.Core.Callbacks;
using Collect.Core.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;

namespace Collect.LocalRunner;

/// <summary>The Functions app's HTTP routes (same paths, same core handlers, same status codes), as minimal APIs.</summary>
public static class CollectRoutesEndpoints
{
    public static IEndpointRouteBuilder MapCollectRoutes(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + CollectRoutes.Prefix);
        api.MapPost(CollectRoutes.Orders, (HttpRequest request, [FromServices] DurableTaskClient durable, [FromServices] OrdersHandler handler, CancellationToken ct) =>
            handler.CreateAsync(request, durable, ct));
        api.MapGet(CollectRoutes.Order, (string orderId, [FromServices] OrdersHandler handler, CancellationToken ct) =>
            handler.GetAsync(orderId, ct));
        api.MapPost(CollectRoutes.HaiPayNotify, (HttpRequest request, [FromServices] DurableTaskClient durable, [FromServices] NotifyHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, durable, ct));
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
