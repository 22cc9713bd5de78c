using Collect.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary><c>POST /api/orders</c> and <c>GET /api/orders/{orderId}</c> (function keys in Azure).</summary>
public sealed class OrdersFunctions(OrdersHandler handler)
{
    public const string CreateOrder = "CreateOrder";
    public const string GetOrder = "GetOrder";

    [Function(CreateOrder)]
    public Task<IResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = CollectRoutes.Orders)] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        handler.CreateAsync(request, durable, request.HttpContext.RequestAborted);

    [Function(GetOrder)]
    public Task<IResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = CollectRoutes.Order)] HttpRequest request,
        string orderId) =>
        handler.GetAsync(orderId, request.HttpContext.RequestAborted);
}
