using Collect.Core.Http;
using Microsoft.DurableTask.Client;

namespace Collect.LocalRunner;

/// <summary>The Functions app's HTTP routes (same paths, same core handlers, same status codes), as minimal APIs.</summary>
public static class CollectRoutesEndpoints
{
    public static IEndpointRouteBuilder MapCollectRoutes(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/orders", (HttpRequest request, DurableTaskClient durable, OrdersHandler handler, CancellationToken ct) =>
            handler.CreateAsync(request, durable, ct));
        app.MapGet("/api/orders/{orderId}", (string orderId, OrdersHandler handler, CancellationToken ct) =>
            handler.GetAsync(orderId, ct));
        app.MapPost("/api/haipay/notify", (HttpRequest request, DurableTaskClient durable, NotifyHandler handler, CancellationToken ct) =>
            handler.HandleAsync(request, durable, ct));
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
