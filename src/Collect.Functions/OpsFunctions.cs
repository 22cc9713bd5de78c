using Collect.Core.Http;
using Collect.Core.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary>
/// The operations API and console under <c>/api/ops</c>. Anonymous at the Functions level on purpose: function keys
/// cannot be scoped or revoked, so access is App Service authentication (Entra ID, app roles) checked by
/// <see cref="OpsAccess"/>; without it configured (<c>Ops__Access</c>), every route answers 404.
/// </summary>
public sealed class OpsFunctions(OpsHandler ops, OpsConsole console)
{
    [Function("OpsConsole")]
    public IResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsConsole)] HttpRequest request) =>
        console.Serve(request, null);

    [Function("OpsConsoleScript")]
    public IResult Script([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsConsoleScript)] HttpRequest request) =>
        console.Serve(request, "console.js");

    [Function("OpsConsoleStyle")]
    public IResult Style([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsConsoleStyle)] HttpRequest request) =>
        console.Serve(request, "console.css");

    [Function("OpsListOrders")]
    public Task<IResult> ListAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsOrders)] HttpRequest request) =>
        ops.ListAsync(request, request.HttpContext.RequestAborted);

    [Function("OpsOrderTimeline")]
    public Task<IResult> TimelineAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsOrder)] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        ops.TimelineAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("OpsRequery")]
    public Task<IResult> RequeryAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsRequery)] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        ops.RequeryAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("OpsResolve")]
    public Task<IResult> ResolveAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsResolve)] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        ops.ResolveAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("OpsCancel")]
    public Task<IResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsCancel)] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        ops.CancelAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("OpsRestart")]
    public Task<IResult> RestartAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsRestart)] HttpRequest request, string orderId,
        [DurableClient] DurableTaskClient durable) =>
        ops.RestartAsync(request, orderId, durable, request.HttpContext.RequestAborted);

    [Function("OpsRedeliver")]
    public Task<IResult> RedeliverAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsRedeliver)] HttpRequest request, string orderId, string sequence,
        [DurableClient] DurableTaskClient durable) =>
        ops.RedeliverAsync(request, orderId, sequence, durable, request.HttpContext.RequestAborted);

    [Function("OpsUndelivered")]
    public Task<IResult> UndeliveredAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsUndelivered)] HttpRequest request) =>
        ops.UndeliveredAsync(request, request.HttpContext.RequestAborted);

    [Function("OpsCatalogue")]
    public IResult Catalogue([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = CollectRoutes.OpsCatalogue)] HttpRequest request) =>
        ops.Catalogue(request);

    [Function("OpsRedeliverAll")]
    public Task<IResult> RedeliverAllAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.OpsRedeliverAll)] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        ops.RedeliverAllAsync(request, durable, request.HttpContext.RequestAborted);
}
