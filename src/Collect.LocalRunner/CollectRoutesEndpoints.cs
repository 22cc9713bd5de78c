using Collect.Core.Callbacks;
using Collect.Core.Http;
using Collect.Core.Operations;
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
        api.MapGet(CollectRoutes.Health, ([FromServices] ServiceHealth health, CancellationToken ct) => health.GetAsync(ct));
        api.MapGet(CollectRoutes.OpsConsole, (HttpRequest request, [FromServices] OpsConsole console) => console.Serve(request, null));
        api.MapGet(CollectRoutes.OpsConsoleScript, (HttpRequest request, [FromServices] OpsConsole console) => console.Serve(request, "console.js"));
        api.MapGet(CollectRoutes.OpsConsoleStyle, (HttpRequest request, [FromServices] OpsConsole console) => console.Serve(request, "console.css"));
        api.MapGet(CollectRoutes.OpsOrders, (HttpRequest request, [FromServices] OpsHandler ops, CancellationToken ct) => ops.ListAsync(request, ct));
        api.MapGet(CollectRoutes.OpsOrder, (HttpRequest request, string orderId, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.TimelineAsync(request, orderId, durable, ct));
        api.MapPost(CollectRoutes.OpsRequery, (HttpRequest request, string orderId, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.RequeryAsync(request, orderId, durable, ct));
        api.MapPost(CollectRoutes.OpsResolve, (HttpRequest request, string orderId, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.ResolveAsync(request, orderId, durable, ct));
        api.MapPost(CollectRoutes.OpsCancel, (HttpRequest request, string orderId, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.CancelAsync(request, orderId, durable, ct));
        api.MapPost(CollectRoutes.OpsRestart, (HttpRequest request, string orderId, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.RestartAsync(request, orderId, durable, ct));
        api.MapPost(CollectRoutes.OpsRedeliver, (HttpRequest request, string orderId, string sequence, [FromServices] DurableTaskClient durable,
            [FromServices] OpsHandler ops, CancellationToken ct) => ops.RedeliverAsync(request, orderId, sequence, durable, ct));
        api.MapGet(CollectRoutes.OpsUndelivered, (HttpRequest request, [FromServices] OpsHandler ops, CancellationToken ct) => ops.UndeliveredAsync(request, ct));
        api.MapPost(CollectRoutes.OpsRedeliverAll, (HttpRequest request, [FromServices] DurableTaskClient durable, [FromServices] OpsHandler ops,
            CancellationToken ct) => ops.RedeliverAllAsync(request, durable, ct));
        api.MapGet(CollectRoutes.OpsCatalogue, (HttpRequest request, [FromServices] OpsHandler ops) => ops.Catalogue(request));
        app.MapGet("/ops", () => Results.Redirect("/" + CollectRoutes.Prefix + "/" + CollectRoutes.OpsConsole));
        // Liveness only (the test stack waits for it); readiness with storage and keys is api/health.
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
