using Collect.Core.Callbacks;
using Collect.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary><c>POST /api/haipay/notify</c>: HaiPay's callback, anonymous (trust comes from the signature).</summary>
public sealed class NotifyFunction(NotifyHandler handler)
{
    public const string HaiPayNotify = "HaiPayNotify";

    [Function(HaiPayNotify)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = CollectRoutes.HaiPayNotify)] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        handler.HandleAsync(request, durable, request.HttpContext.RequestAborted);
}
